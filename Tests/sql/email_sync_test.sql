/*
 * Tests/sql/email_sync_test.sql — psql checks of the mail sync's SQL API (320_email_sync.sql):
 * folders and cursors, set-based idempotent import, one message in two folders, flags and
 * is_read, expunge (marked, never deleted), UIDVALIDITY reset, runs, leases and the outbox.
 *
 * Run on a scratch database holding every migration and demo/seed.sql (see run.sh next to
 * this file). Each step runs as the app would (crmsync_worker or authenticated, with
 * request.jwt.claims and app.org_id); checks raise an exception (ON_ERROR_STOP stops psql).
 */
\ir test_helpers.psql
\set acme '10000000-0000-4000-8000-000000000001'
\set alice '10000000-0000-4000-8000-0000000000a1'
\set bob '10000000-0000-4000-8000-0000000000b2'
\set mail_alice '10000000-0000-4000-8000-0000000e0001'
\set mail_bob '10000000-0000-4000-8000-0000000e0002'

\echo '== 1. folders and a first batch'
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select public.ensure_email_folder(:'mail_alice', 'INBOX', 'inbox') as inbox \gset
select public.ensure_email_folder(:'mail_alice', 'Sent', 'sent') as sent \gset
select t.eq(public.ensure_email_folder(:'mail_alice', 'INBOX', 'inbox'), :'inbox'::uuid, 'ensure_email_folder returns the same folder');
\set batch '[{"provider_message_id": "<m1@x>", "internet_message_id": "<m1@x>", "from_address": "c@x", "to_addresses": ["alice@acme.example"], "subject": "Hello", "body_text": "hi", "received_at": "2026-11-30T10:00:00Z", "size_bytes": 1200, "uid": 1, "flags": ["\\\\Seen"], "modseq": 5, "attachments": [{"filename": "a.pdf", "content_type": "application/pdf", "size_bytes": 10, "inline": false}]}, {"provider_message_id": "<m2@x>", "internet_message_id": "<m2@x>", "in_reply_to": "<m1@x>", "from_address": "alice@acme.example", "subject": "Re: Hello", "uid": 2, "flags": [], "references_ids": ["<m1@x>"]}]'
select t.eq((select inserted || '/' || updated from public.import_email_messages(:'mail_alice', :'inbox', :'batch', '{"uidvalidity": 7, "last_uid": 2, "highestmodseq": 9}')), '2/0', 'first batch inserts 2');
select t.eq((select inserted || '/' || updated from public.import_email_messages(:'mail_alice', :'inbox', :'batch', '{"uidvalidity": 7, "last_uid": 2, "highestmodseq": 9}')), '0/0', 'replayed batch changes nothing');
select t.eq((select count(*)::int from public.email_attachments a join public.email_messages m on m.id = a.email_message_id where m.provider_message_id = '<m1@x>'), 1, 'attachment written once');
select t.eq((select is_read::text || ':' || thread_id from public.email_messages where provider_message_id = '<m1@x>'), 'true:<m1@x>', 'seen → read; root thread = own Message-ID');
select t.eq((select is_read::text || ':' || thread_id from public.email_messages where provider_message_id = '<m2@x>'), 'false:<m1@x>', 'reply joins the parent''s thread');
select t.eq((select uidvalidity || ':' || last_uid || ':' || highestmodseq from public.email_folders where id = :'inbox'), '7:2:9', 'cursor written');
select t.eq((select inserted || '/' || updated from public.import_email_messages(:'mail_alice', :'inbox', '[]', '{"uidvalidity": 7, "last_uid": 1, "highestmodseq": 3}')), '0/0', 'empty batch with an older cursor');
select t.eq((select uidvalidity || ':' || last_uid || ':' || highestmodseq from public.email_folders where id = :'inbox'), '7:2:9', 'cursor never moves backwards');
select t.fails(format('select * from public.import_email_messages(%L, %L, %L, %L)', :'mail_alice', :'inbox', '[]', '{"uidvalidity": 8, "last_uid": 1}'), '55000', 'another UIDVALIDITY is refused');
select t.fails(format('select * from public.import_email_messages(%L, %L, %L, null)', :'mail_alice', :'inbox', '[{"uid": 3}]'), '22023', 'element without provider_message_id');
select t.fails(format('select * from public.import_email_messages(%L, %L, %L, null)', :'mail_alice', :'inbox', '[{"provider_message_id": "a", "uid": -1}]'), '22023', 'negative uid');
select t.fails(format('select * from public.import_email_messages(%L, %L, %L, null)', :'mail_alice', :'inbox', '[{"provider_message_id": "a", "uid": 4, "received_at": "yesterday-ish"}]'), '22023', 'bad timestamp');
select t.fails(format('select * from public.import_email_messages(%L, %L, %L, null)', :'mail_alice', :'inbox', '[{"provider_message_id": "a", "uid": 4}, {"provider_message_id": "b", "uid": 4}]'), '22023', 'duplicate uid in a batch');

\echo '== 2. one message in two folders; flags; expunge'
select t.eq((select inserted || '/' || updated from public.import_email_messages(:'mail_alice', :'sent', '[{"provider_message_id": "<m2@x>", "uid": 11, "flags": ["\\SEEN"]}]', null)), '0/1', 'same Message-ID in Sent: no new row');
select t.eq((select count(*)::int from public.email_message_locations l join public.email_messages m on m.id = l.email_message_id where m.provider_message_id = '<m2@x>'), 2, 'two locations');
select t.eq((select is_read from public.email_messages where provider_message_id = '<m2@x>'), true, '\SEEN in any folder → read');
select t.eq((select subject from public.email_messages_visible where provider_message_id = '<m2@x>'), 'Re: Hello', 'missing values keep the stored ones');
select t.eq((select updated || '/' || deleted from public.apply_email_folder_changes(:'mail_alice', :'sent', '[]', '{11}', null)), '1/0', 'expunged from Sent only: updated (unread now), kept');
select t.eq((select is_read::text || ':' || (expunged_at is null) from public.email_messages where provider_message_id = '<m2@x>'), 'false:true', 'read follows the remaining location');
select t.eq((select updated || '/' || deleted from public.apply_email_folder_changes(:'mail_alice', :'inbox', '[{"uid": 2, "flags": ["\\Seen", "\\Flagged"], "modseq": 12}]', null, '{"highestmodseq": 12}')), '1/0', 'flag change');
select t.eq((select updated || '/' || deleted from public.apply_email_folder_changes(:'mail_alice', :'inbox', '[{"uid": 2, "flags": ["\\Flagged", "\\Seen"], "modseq": 12}]', null, '{"highestmodseq": 12}')), '0/0', 'same flags in another order: no change');
select t.eq((select is_read from public.email_messages where provider_message_id = '<m2@x>'), true, 'flag change → read');
select t.eq((select updated || '/' || deleted from public.apply_email_folder_changes(:'mail_alice', :'inbox', null, '{2}', null)), '0/1', 'expunged from its last folder');
select t.eq((select expunged_at is not null from public.email_messages where provider_message_id = '<m2@x>'), true, 'marked expunged, not deleted');
select t.eq((select updated || '/' || deleted from public.apply_email_folder_changes(:'mail_alice', :'inbox', null, '{2}', null)), '0/0', 'expunge replay');
select t.eq((select inserted || '/' || updated from public.import_email_messages(:'mail_alice', :'inbox', '[{"provider_message_id": "<m2@x>", "uid": 2, "flags": []}]', null)), '0/1', 're-found');
select t.eq((select expunged_at is null from public.email_messages where provider_message_id = '<m2@x>'), true, 're-import clears expunged_at');
select t.eq((select string_agg(u::text, ',') from public.email_folder_uids(:'inbox') u), '1,2', 'email_folder_uids');

\echo '== 3. UIDVALIDITY reset'
select t.eq(public.reset_email_folder(:'mail_alice', :'inbox', 8), 2, 'reset marks the inbox-only messages');
select t.eq((select coalesce(uidvalidity, 0) || ':' || last_uid || ':' || coalesce(highestmodseq, -1) from public.email_folders where id = :'inbox'), '8:0:-1', 'cursor restarted');
select t.eq((select inserted || '/' || updated from public.import_email_messages(:'mail_alice', :'inbox', '[{"provider_message_id": "<m1@x>", "uid": 101, "flags": ["\\Seen"]}]', '{"uidvalidity": 8, "last_uid": 101}')), '0/1', 'rescan re-matches by Message-ID');
select t.eq((select count(*)::int from public.email_messages where provider_message_id = '<m1@x>' and expunged_at is null), 1, 'same row back');
select t.eq((select count(*)::int from public.email_attachments a join public.email_messages m on m.id = a.email_message_id where m.provider_message_id = '<m1@x>'), 1, 'no duplicate attachment');
select t.eq((select inserted || '/' || updated from public.import_email_messages(:'mail_alice', :'inbox', '[{"provider_message_id": "<m3@x>", "uid": 101}]', null)), '1/1', 'a UID taken over by another message');
select t.eq((select expunged_at is not null from public.email_messages where provider_message_id = '<m1@x>'), true, 'the displaced message is in no folder');
commit;

\echo '== 4. tenancy of the functions'
begin;
set local role crmsync_worker;
select t.as_user(:'bob', :'acme');
select t.fails(format('select * from public.import_email_messages(%L, %L, %L, null)', :'mail_alice', :'inbox', '[]'), '42501', 'bob imports into alice''s folder');
select t.fails(format('select * from public.import_email_messages(%L, %L, %L, null)', :'mail_bob', :'inbox', '[]'), '42501', 'bob imports into alice''s folder through his account');
select t.fails(format('select * from public.email_folder_uids(%L)', :'inbox'), '42501', 'bob reads alice''s uids');
select t.fails(format('select public.reset_email_folder(%L, %L, 9)', :'mail_alice', :'inbox'), '42501', 'bob resets alice''s folder');
select t.fails(format('select * from public.email_folder_state(%L)', :'mail_alice'), '42501', 'bob reads alice''s folder state');
commit;

\echo '== 5. runs and leases'
update public.email_accounts set connection_status = 'connected', next_sync_at = now() - interval '1 minute',
       lease_owner = null, lease_expires_at = null where id in (:'mail_alice', :'mail_bob');
begin;
set local role crmsync_worker;
select t.eq((select count(*)::int from public.claim_email_accounts('w1', 10, 60) where account_id in (:'mail_alice', :'mail_bob')), 2, 'claim due accounts');
select t.eq((select count(*)::int from public.claim_email_accounts('w2', 10, 60) where account_id in (:'mail_alice', :'mail_bob')), 0, 'leased accounts are not claimed twice');
select t.eq(public.renew_email_lease(:'mail_alice', 'w1', 60), true, 'renew own lease');
select t.eq(public.renew_email_lease(:'mail_alice', 'w2', 60), false, 'renew another''s lease');
select public.release_email_lease(:'mail_alice', 'w1');
select t.eq((select lease_owner is null from public.email_accounts where id = :'mail_alice'), null::boolean, 'no identity: the account is invisible');
select t.as_user(:'alice', :'acme');
select t.eq((select lease_owner is null from public.email_accounts where id = :'mail_alice'), true, 'released');
select public.start_email_sync(:'mail_alice', 'auto') as l1 \gset
select public.finish_email_sync(:'l1', 'failed', 0, 0, 0, 1, '[{"message": "IMAP NO"}]');
select public.finish_email_sync(:'l1', 'failed', 0, 0, 0, 1, '[{"message": "IMAP NO"}]');
select t.eq((select consecutive_failures || ':' || connection_status || ':' || last_error || ':' || (next_sync_at between now() + interval '119 s' and now() + interval '121 s') from public.email_accounts where id = :'mail_alice'),
  '1:error:IMAP NO:true', 'failure backs off (finish idempotent)');
select public.start_email_sync(:'mail_alice', 'manual') as l2 \gset
select public.finish_email_sync(:'l2', 'success', 3, 1, 0, 0, '[]');
select t.eq((select consecutive_failures || ':' || connection_status || ':' || coalesce(last_error, '-') from public.email_accounts where id = :'mail_alice'), '0:connected:-', 'success resets');
select t.eq((select messages_imported || ':' || status from public.email_sync_log where id = :'l2'), '3:success', 'run logged');
commit;

\echo '== 6. outbox'
begin;
set local role authenticated;
select t.as_user(:'alice', :'acme');
select public.queue_email(:'mail_alice', '<out1@acme.example>', 'alice@acme.example', '{c@x}', null, null, 'Re: Hello', convert_to('Subject: Re: Hello', 'UTF8'), '<m1@x>', '{<m1@x>}') as o1 \gset
select t.fails(format('select public.queue_email(%L, %L, %L, %L, null, null, %L, %L, null, null)', :'mail_alice', '<out1@acme.example>', 'alice@acme.example', '{c@x}', 's', '\x41'), '23505', 'duplicate Message-ID');
select t.fails(format('select public.queue_email(%L, %L, %L, %L, null, null, %L, %L, null, null)', :'mail_alice', '<out2@acme.example>', 'alice@acme.example', '{}', 's', '\x41'), '22023', 'no recipient');
select t.fails(format('select public.queue_email(%L, %L, %L, %L, null, null, %L, %L, null, null)', :'mail_bob', '<out3@acme.example>', 'alice@acme.example', '{c@x}', 's', '\x41'), '42501', 'bob''s account');
commit;
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq((select count(*)::int || ':' || bool_or(was_sending) from public.claim_email_outbox(:'mail_alice', 10, 300)), '1:false', 'claim the queued message');
select t.eq((select count(*)::int from public.claim_email_outbox(:'mail_alice', 10, 300)), 0, 'not claimed twice');
commit;
update public.email_outbox set sending_started_at = now() - interval '10 minutes' where id = :'o1';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq((select attempts || ':' || was_sending from public.claim_email_outbox(:'mail_alice', 10, 300)), '2:true', 'a stale send is re-claimed, flagged');
select public.finish_email_send(:'o1', 'sent', null, null);
select public.finish_email_send(:'o1', 'sent', null, null);
select t.eq((select count(*)::int from public.email_messages where provider_message_id = '<out1@acme.example>' and direction = 'outbound' and is_read and sent_at is not null), 1, 'one outbound row');
select t.eq((select thread_id from public.email_messages where provider_message_id = '<out1@acme.example>'), '<m1@x>', 'the reply is in its thread');
select t.eq((select status || ':' || (email_message_id is not null) from public.email_outbox where id = :'o1'), 'sent:true', 'linked');
select t.fails(format('select public.finish_email_send(%L, %L, null, null)', :'o1', 'failed'), '55000', 'a sent message does not fail');
commit;
begin;
set local role crmsync_worker;
select t.as_user(:'bob', :'acme');
select t.fails(format('select * from public.claim_email_outbox(%L, 10, 300)', :'mail_alice'), '42501', 'bob claims alice''s outbox');
select t.fails(format('select public.finish_email_send(%L, %L, null, null)', :'o1', 'sent'), '42501', 'bob finishes alice''s send');
commit;
