/*
 * Tests/sql/calendar_sync_test.sql — psql checks of the sync engine's SQL API (issue 4).
 *
 * Run on a scratch database holding every migration and demo/seed.sql (see run.sh next to
 * this file). Each step runs as the app would (crmsync_worker or authenticated, with
 * request.jwt.claims and app.org_id); checks raise an exception (ON_ERROR_STOP stops psql).
 */
\ir test_helpers.psql
\set acme '10000000-0000-4000-8000-000000000001'
\set globex '20000000-0000-4000-8000-000000000001'
\set alice '10000000-0000-4000-8000-0000000000a1'
\set bob '10000000-0000-4000-8000-0000000000b2'
\set gina '20000000-0000-4000-8000-0000000000a1'
\set acc_alice '10000000-0000-4000-8000-0000000c0001'
\set acc_bob '10000000-0000-4000-8000-0000000c0002'
\set acc_gina '20000000-0000-4000-8000-0000000c0001'

create or replace function t.ev(p_id text, p_etag text, p_title text, p_start text, p_end text,
                                p_status text default 'confirmed', p_extra jsonb default '{}') returns jsonb
language sql as $$
  select jsonb_build_object('id', p_id, 'etag', p_etag, 'status', p_status, 'title', p_title,
                            'description', null, 'location', null, 'all_day', false,
                            'start', p_start, 'end', p_end, 'time_zone', 'Europe/Berlin',
                            'updated', now()::text, 'ical_uid', p_id || '@x', 'series_id', null) || p_extra
$$;
-- the account's appointments & mappings, seen by the superuser
create or replace function t.outcomes(p_rows jsonb) returns text language sql as $$ select p_rows::text $$;

\echo '== 1. first import: created / ignored / invalid, then a replay changes nothing'
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
create temp table r1 on commit drop as
select * from public.import_calendar_events(:'acc_alice', jsonb_build_array(
  t.ev('e1', '"1"', 'Kickoff', '2026-03-02T09:00:00Z', '2026-03-02T10:00:00Z'),
  t.ev('e2', '"1"', null, '2026-03-05T00:00:00Z', '2026-03-07T00:00:00Z', 'confirmed', '{"all_day": true}'),
  t.ev('e3', '"1"', 'Gone', null, null, 'cancelled'),
  t.ev('e4', '"1"', 'Bad', '2026-03-02T10:00:00Z', '2026-03-02T09:00:00Z'),
  t.ev('e5', '"1"', 'Bad date', '2026-02-31T10:00:00Z', '2026-03-02T09:00:00Z'),
  t.ev('e1', '"1"', 'Kickoff', '2026-03-02T09:00:00Z', '2026-03-02T10:00:00Z')));
select t.eq((select string_agg(external_event_id || ':' || outcome, ',' order by external_event_id) from r1),
            'e1:created,e2:created,e3:ignored,e4:invalid,e5:invalid', 'first import outcomes (dedup, bad date fallback)');
select t.eq((select title || '|' || all_day || '|' || time_zone from r1 join public.appointments a on a.id = r1.appointment_id where r1.external_event_id = 'e2'),
            '(no title)|true|Europe/Berlin', 'all-day event without title');
select t.eq((select count(*) from public.calendar_event_mappings m where m.calendar_account_id = :'acc_alice' and m.external_event_id in ('e1','e2') and m.sync_status = 'synced' and m.synced_crm_version = 1 and m.sync_direction = 'import'), 2::bigint, 'mappings synced at version 1');
create temp table r2 on commit drop as
select * from public.import_calendar_events(:'acc_alice', jsonb_build_array(
  t.ev('e1', '"1"', 'Kickoff', '2026-03-02T09:00:00Z', '2026-03-02T10:00:00Z'),
  t.ev('e2', '"1"', null, '2026-03-05T00:00:00Z', '2026-03-07T00:00:00Z', 'confirmed', '{"all_day": true}'),
  t.ev('e3', '"1"', 'Gone', null, null, 'cancelled')));
select t.eq((select string_agg(external_event_id || ':' || outcome, ',' order by external_event_id) from r2),
            'e1:unchanged,e2:unchanged,e3:ignored', 'replay: unchanged');
commit;

\echo '== 2. export: create, record (idempotent), echo of our own write is unchanged'
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select public.start_calendar_sync(:'acc_alice', 'manual', 'bidirectional') as log_id \gset
create temp table b1 on commit drop as select * from public.calendar_export_batch(:'acc_alice', 100);
select t.eq((select string_agg(right(appointment_id::text, 4) || ':' || action || ':' || coalesce(etag, '-'), ',' order by appointment_id) from b1),
            '0005:update:"etag-10000000-5",0007:create:-', 'first export batch');
select t.eq((select action from b1 limit 1 offset 1), 'update', 'error mapping sorted last');
select public.record_calendar_exports(:'acc_alice', jsonb_build_array(
  jsonb_build_object('appointment_id', '10000000-0000-4000-8000-0000000a0007', 'action', 'created', 'external_event_id', 'x7', 'etag', '"x7-1"', 'crm_version', 1),
  jsonb_build_object('appointment_id', '10000000-0000-4000-8000-0000000a0005', 'action', 'error', 'error', 'HTTP 400 bad time zone'))) as n \gset
select t.eq(:n, 2, 'record: 2 mappings written');
select t.eq((select count(*) from public.calendar_export_batch(:'acc_alice', 100)), 0::bigint, 'error of this run is not retried in the same run');
select t.eq(public.record_calendar_exports(:'acc_alice', jsonb_build_array(
  jsonb_build_object('appointment_id', '10000000-0000-4000-8000-0000000a0007', 'action', 'created', 'external_event_id', 'x7', 'etag', '"x7-1"', 'crm_version', 1))), 1,
  'replayed created: rewritten with the same values');
select t.eq((select sync_status || ':' || synced_crm_version || ':' || etag from public.calendar_event_mappings where external_event_id = 'x7'), 'synced:1:"x7-1"', 'created mapping');
select t.eq((select string_agg(outcome, ',') from public.import_calendar_events(:'acc_alice',
  jsonb_build_array(t.ev('x7', '"x7-1"', 'Team offsite', '2026-03-02T09:00:00Z', '2026-03-02T10:00:00Z')))), 'unchanged', 'echo of own create');
select public.finish_calendar_sync(:'log_id', 'partial', 0, 1, 0, 0, 1, '[{"message":"HTTP 400 bad time zone"}]', 'cursor-1', false);
commit;
begin;
select t.eq((select last_sync_status || ':' || consecutive_failures || ':' || sync_cursor || ':' || last_error || ':' || (next_sync_at between now() + interval '4 min' and now() + interval '6 min') || ':' || (export_watermark is not null)
  from public.calendar_accounts where id = :'acc_alice'), 'partial:0:cursor-1:HTTP 400 bad time zone:true:true', 'finish partial');
select t.eq((select status || ':' || events_exported || ':' || errors || ':' || (completed_at is not null) from public.calendar_sync_log where id = :'log_id'), 'partial:1:1:true', 'log row');
commit;

\echo '== 3. CRM edit -> export update (If-Match etag) -> echo unchanged; remote edit -> updated'
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
update public.appointments set title = 'Kickoff v2' where id = (select appointment_id from public.calendar_event_mappings where external_event_id = 'e1');
create temp table b2 on commit drop as select * from public.calendar_export_batch(:'acc_alice', 100);
select t.eq((select string_agg(action || ':' || coalesce(external_event_id, '-') || ':' || etag || ':' || crm_version || ':' || title, ',') from b2 where external_event_id = 'e1'),
            'update:e1:"1":2:Kickoff v2', 'update in batch with stored etag');
select t.eq((select count(*) from b2 where action = 'update' and right(appointment_id::text, 4) = '0005'), 1::bigint, 'failed update retried in the next run (no run open)');
select public.record_calendar_exports(:'acc_alice', jsonb_build_array(
  jsonb_build_object('appointment_id', b2.appointment_id, 'action', 'updated', 'external_event_id', 'e1', 'etag', '"2"', 'crm_version', 2))) from b2 where external_event_id = 'e1';
select t.eq((select string_agg(outcome, ',') from public.import_calendar_events(:'acc_alice',
  jsonb_build_array(t.ev('e1', '"2"', 'Kickoff v2', '2026-03-02T09:00:00Z', '2026-03-02T10:00:00Z')))), 'unchanged', 'echo of own update');
select t.eq((select count(*) from public.calendar_export_batch(:'acc_alice', 100) where external_event_id = 'e1'), 0::bigint, 'nothing left to export for e1');
-- remote edit while the CRM side is unchanged
select t.eq((select string_agg(outcome, ',') from public.import_calendar_events(:'acc_alice',
  jsonb_build_array(t.ev('e1', '"3"', 'Kickoff v3', '2026-03-02T09:30:00Z', '2026-03-02T10:30:00Z')))), 'updated', 'remote edit applied');
select t.eq((select a.title || ':' || a.crm_version || ':' || m.synced_crm_version || ':' || m.etag from public.appointments a join public.calendar_event_mappings m on m.appointment_id = a.id where m.external_event_id = 'e1'),
            'Kickoff v3:3:3:"3"', 'appointment + mapping after remote edit');
select t.eq((select count(*) from public.calendar_export_batch(:'acc_alice', 100) where external_event_id = 'e1'), 0::bigint, 'an imported change is not exported back');
-- remote etag changes without a content change: absorbed, no version bump
select t.eq((select string_agg(outcome, ',') from public.import_calendar_events(:'acc_alice',
  jsonb_build_array(t.ev('e1', '"4"', 'Kickoff v3', '2026-03-02T09:30:00Z', '2026-03-02T10:30:00Z')))), 'unchanged', 'etag-only change absorbed');
select t.eq((select a.crm_version || ':' || m.etag from public.appointments a join public.calendar_event_mappings m on m.appointment_id = a.id where m.external_event_id = 'e1'),
            '3:"4"', 'absorbed: version unchanged, etag stored');
commit;

\echo '== 4. both sides changed: manual -> one open conflict; resolve keep_crm / keep_calendar'
update public.calendar_accounts set conflict_strategy = 'manual' where id = :'acc_alice';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select appointment_id as a1 from public.calendar_event_mappings where external_event_id = 'e1' \gset
update public.appointments set location = 'Room 1' where id = :'a1';
select t.eq((select string_agg(outcome, ',') from public.import_calendar_events(:'acc_alice',
  jsonb_build_array(t.ev('e1', '"5"', 'Kickoff remote', '2026-03-02T09:30:00Z', '2026-03-02T10:30:00Z')))), 'conflict', 'manual conflict');
select t.eq((select string_agg(outcome, ',') from public.import_calendar_events(:'acc_alice',
  jsonb_build_array(t.ev('e1', '"5"', 'Kickoff remote', '2026-03-02T09:30:00Z', '2026-03-02T10:30:00Z')))), 'unchanged', 'repeat delivery');
select t.eq((select string_agg(outcome, ',') from public.import_calendar_events(:'acc_alice',
  jsonb_build_array(t.ev('e1', '"6"', 'Kickoff remote 2', '2026-03-02T09:30:00Z', '2026-03-02T10:30:00Z')))), 'conflict', 'newer remote version refreshes the conflict');
select t.eq((select count(*) || ':' || max(remote_etag) || ':' || max(remote_snapshot ->> 'title') || ':' || max(crm_snapshot ->> 'location') from public.calendar_conflicts where appointment_id = :'a1' and resolved_at is null),
            '1:"6":Kickoff remote 2:Room 1', 'one open conflict with both versions');
select t.eq((select sync_status from public.calendar_event_mappings where external_event_id = 'e1'), 'conflict', 'mapping in conflict');
select t.eq((select count(*) from public.calendar_export_batch(:'acc_alice', 100) where external_event_id = 'e1'), 0::bigint, 'conflict not exported');
select t.eq((select title || ':' || location from public.appointments where id = :'a1'), 'Kickoff v3:Room 1', 'CRM version kept until resolved');
commit;
select id as c1 from public.calendar_conflicts where appointment_id = :'a1' and resolved_at is null \gset
begin;
set local role authenticated;
select t.as_user(:'bob', :'acme');
select t.eq((select count(*) from public.calendar_conflicts where id = :'c1'), 0::bigint, 'bob (member) does not see alice''s conflict');
select t.fails(format('select public.resolve_calendar_conflict(%L, %L)', :'c1', 'keep_crm'), '42501', 'bob resolves alice''s conflict');
select t.as_user(:'alice', :'acme');
select t.fails(format('update public.calendar_conflicts set resolution = %L, resolved_at = now() where id = %L', 'keep_crm', :'c1'), '42501', 'direct update by the owner refused');
select t.as_user(:'gina', :'globex');
select t.fails(format('select public.resolve_calendar_conflict(%L, %L)', :'c1', 'keep_calendar'), '42501', 'other org resolves it');
select t.as_user(:'gina', :'acme');
select t.fails(format('select public.resolve_calendar_conflict(%L, %L)', :'c1', 'keep_calendar'), '42501', 'forged org resolves it');
commit;
begin;
set local role authenticated;
select t.as_user(:'alice', :'acme');
select id as c1 from public.calendar_conflicts where appointment_id = :'a1' and resolved_at is null \gset
select public.resolve_calendar_conflict(:'c1', 'keep_crm');
select public.resolve_calendar_conflict(:'c1', 'keep_crm');
commit;
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq((select m.sync_status || ':' || m.etag from public.calendar_event_mappings m where external_event_id = 'e1'), 'pending:"6"', 'keep_crm: pending with remote etag');
select t.eq((select action || ':' || etag || ':' || title || ':' || location from public.calendar_export_batch(:'acc_alice', 100) where external_event_id = 'e1'),
            'update:"6":Kickoff v3:Room 1', 'keep_crm exported with If-Match on the remote etag');
select t.eq((select resolution || ':' || (resolved_by = :'alice') from public.calendar_conflicts where id = :'c1'), 'keep_crm:true', 'resolved by alice');
select public.record_calendar_exports(:'acc_alice', jsonb_build_array(jsonb_build_object('appointment_id', :'a1', 'action', 'updated', 'external_event_id', 'e1', 'etag', '"7"', 'crm_version', 4)));
-- second conflict, kept from the calendar
update public.appointments set location = 'Room 2' where id = :'a1';
select t.eq((select string_agg(outcome, ',') from public.import_calendar_events(:'acc_alice',
  jsonb_build_array(t.ev('e1', '"8"', 'Calendar title', '2026-03-03T09:30:00Z', '2026-03-03T10:30:00Z')))), 'conflict', 'second conflict');
commit;
select count(*) as audit_before from public.audit_log where action = 'calendar_conflict.resolved' \gset
begin;
set local role authenticated;
select t.as_user(:'alice', :'acme');
select id as c2 from public.calendar_conflicts where appointment_id = :'a1' and resolved_at is null \gset
select public.resolve_calendar_conflict(:'c2', 'keep_calendar');
select t.fails(format('select public.resolve_calendar_conflict(%L, %L)', :'c2', 'keep_crm'), '55000', 'other resolution of a resolved conflict');
commit;
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq((select a.title || ':' || coalesce(a.location, '-') || ':' || a.start_time || ':' || m.sync_status || ':' || (m.synced_crm_version = a.crm_version) || ':' || m.etag
  from public.appointments a join public.calendar_event_mappings m on m.appointment_id = a.id where a.id = :'a1'),
  'Calendar title:-:2026-03-03 09:30:00+00:synced:true:"8"', 'keep_calendar applied');
select t.eq((select count(*) from public.calendar_export_batch(:'acc_alice', 100) where external_event_id = 'e1'), 0::bigint, 'nothing to export after keep_calendar');
commit;
select t.eq((select count(*) - :audit_before from public.audit_log where action = 'calendar_conflict.resolved'), 1::bigint, 'resolution audited');

\echo '== 5. strategies: crm_wins, calendar_wins, latest_wins; deletions both ways'
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq((select string_agg(outcome, ',') from public.import_calendar_events(:'acc_alice', (
  select jsonb_agg(t.ev('s' || i, '"1"', 'S' || i, '2026-04-0' || i || 'T09:00:00Z', '2026-04-0' || i || 'T10:00:00Z')) from generate_series(1, 8) i))),
  'created,created,created,created,created,created,created,created', 'eight more events');
create temp view sa as
  select m.external_event_id as ev, a.* , m.etag, m.sync_status, m.synced_crm_version, m.remote_deleted
    from public.appointments a join public.calendar_event_mappings m on m.appointment_id = a.id and m.calendar_account_id = :'acc_alice';
update public.appointments a set title = a.title || ' crm' from sa where sa.id = a.id and sa.ev in ('s1', 's2', 's3', 's4', 's5', 's6');
commit;
update public.calendar_accounts set conflict_strategy = 'crm_wins' where id = :'acc_alice';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq((select string_agg(external_event_id || ':' || outcome, ',') from public.import_calendar_events(:'acc_alice', jsonb_build_array(
  t.ev('s1', '"2"', 'S1 cal', '2026-04-01T09:00:00Z', '2026-04-01T10:00:00Z'),
  t.ev('s2', '"2"', null, null, null, 'cancelled')))), 's1:kept_crm,s2:kept_crm', 'crm_wins');
select t.eq((select string_agg(ev || ':' || title || ':' || sync_status || ':' || etag || ':' || remote_deleted || ':' || (deleted_at is null), ',' order by ev) from sa where ev in ('s1', 's2')),
  's1:S1 crm:pending:"2":false:true,s2:S2 crm:pending:"2":true:true', 'crm_wins keeps the CRM version, stores the remote etag');
select t.eq((select string_agg(action || ':' || coalesce(external_event_id, '-') || ':' || coalesce(etag, '-'), ',' order by title) from public.calendar_export_batch(:'acc_alice', 100) where title in ('S1 crm', 'S2 crm')),
  'update:s1:"2",create:-:-', 'crm_wins: update with the remote etag; remotely deleted event re-created');
commit;
update public.calendar_accounts set conflict_strategy = 'calendar_wins' where id = :'acc_alice';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq((select string_agg(external_event_id || ':' || outcome, ',') from public.import_calendar_events(:'acc_alice', jsonb_build_array(
  t.ev('s3', '"2"', 'S3 cal', '2026-04-03T09:00:00Z', '2026-04-03T11:00:00Z'),
  t.ev('s4', '"2"', null, null, null, 'removed')))), 's3:updated,s4:deleted', 'calendar_wins');
select t.eq((select string_agg(ev || ':' || title || ':' || sync_status || ':' || (synced_crm_version = crm_version) || ':' || (deleted_at is null), ',' order by ev) from sa where ev in ('s3', 's4')),
  's3:S3 cal:synced:true:true,s4:S4 crm:synced:true:false', 'calendar_wins applied');
select t.eq((select count(*) from public.calendar_export_batch(:'acc_alice', 100) where external_event_id in ('s3', 's4')), 0::bigint, 'calendar_wins: nothing to export');
commit;
update public.calendar_accounts set conflict_strategy = 'latest_wins' where id = :'acc_alice';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq((select string_agg(external_event_id || ':' || outcome, ',') from public.import_calendar_events(:'acc_alice', jsonb_build_array(
  t.ev('s5', '"2"', 'S5 cal', '2026-04-05T09:00:00Z', '2026-04-05T10:00:00Z', 'confirmed', jsonb_build_object('updated', (now() - interval '1 hour')::text)),
  t.ev('s6', '"2"', 'S6 cal', '2026-04-06T09:00:00Z', '2026-04-06T10:00:00Z', 'confirmed', jsonb_build_object('updated', (now() + interval '1 hour')::text))))),
  's5:kept_crm,s6:updated', 'latest_wins: older remote loses, newer remote wins');
-- remote cancellation, CRM unchanged -> soft delete; replayed tombstone -> unchanged
select t.eq((select string_agg(outcome, ',') from public.import_calendar_events(:'acc_alice', jsonb_build_array(t.ev('s7', '"2"', null, null, null, 'cancelled')))), 'deleted', 'remote cancel');
select t.eq((select string_agg(outcome, ',') from public.import_calendar_events(:'acc_alice', jsonb_build_array(t.ev('s7', '"3"', null, null, null, 'cancelled')))), 'unchanged', 'tombstone again');
select t.eq((select (deleted_at is not null) || ':' || remote_deleted from sa where ev = 's7'), 'true:true', 'soft-deleted, mapping remote_deleted');
select t.eq((select count(*) from public.calendar_export_batch(:'acc_alice', 100) where external_event_id = 's7'), 0::bigint, 'remote deletion not exported back');
-- restored in the calendar (CRM unchanged since) -> undeleted
select t.eq((select string_agg(outcome, ',') from public.import_calendar_events(:'acc_alice', jsonb_build_array(
  t.ev('s7', '"4"', 'S7', '2026-04-07T09:00:00Z', '2026-04-07T10:00:00Z')))), 'updated', 'remote restore');
select t.eq((select (deleted_at is null) || ':' || remote_deleted from sa where ev = 's7'), 'true:false', 'undeleted');
-- CRM deletion -> export delete -> record -> echo tombstone unchanged
update public.appointments a set deleted_at = now() from sa where sa.id = a.id and sa.ev = 's8';
select t.eq((select action || ':' || external_event_id || ':' || etag from public.calendar_export_batch(:'acc_alice', 100) where external_event_id = 's8'), 'delete:s8:"1"', 'CRM delete exported with If-Match');
select public.record_calendar_exports(:'acc_alice', (select jsonb_build_array(jsonb_build_object('appointment_id', id, 'action', 'deleted', 'external_event_id', 's8', 'crm_version', crm_version)) from sa where ev = 's8'));
select t.eq((select string_agg(outcome, ',') from public.import_calendar_events(:'acc_alice', jsonb_build_array(t.ev('s8', '"9"', null, null, null, 'cancelled')))), 'unchanged', 'echo of own delete');
select t.eq((select count(*) from public.calendar_export_batch(:'acc_alice', 100) where external_event_id = 's8'), 0::bigint, 'delete exported once');
-- an event absent from a listing deletes nothing: a full listing of only s1 leaves the rest
select count(*) as live_before from public.appointments where owner_id = :'alice' and deleted_at is null \gset
select count(*) from public.import_calendar_events(:'acc_alice', jsonb_build_array(t.ev('s1', '"2"', 'S1 cal', '2026-04-01T09:00:00Z', '2026-04-01T10:00:00Z')));
select t.eq((select count(*) from public.appointments where owner_id = :'alice' and deleted_at is null), :live_before::bigint, 'absence from a listing deletes nothing');
commit;

\echo '== 6. record_calendar_exports: 412 with remote version, 404 on update, crash recovery via client_id'
update public.calendar_accounts set conflict_strategy = 'manual' where id = :'acc_alice';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select id as s5 from sa where ev = 's5' \gset
select crm_version as s5v from sa where ev = 's5' \gset
-- s5 is pending (kept_crm); the provider answers 412 with a newer version
select public.record_calendar_exports(:'acc_alice', jsonb_build_array(jsonb_build_object(
  'appointment_id', :'s5', 'action', 'conflict', 'external_event_id', 's5', 'crm_version', :s5v,
  'remote', t.ev('s5', '"7"', 'S5 cal again', '2026-04-05T09:00:00Z', '2026-04-05T10:00:00Z'))));
select t.eq((select sync_status || ':' || etag from sa where ev = 's5'), 'conflict:"7"', '412 under manual -> conflict');
select t.eq((select count(*) from public.calendar_conflicts where appointment_id = :'s5' and resolved_at is null), 1::bigint, 'one conflict row');
-- 412 whose remote equals the CRM version (our update landed before a crash): converges
update public.appointments set title = 'S6 new' where id = (select id from sa where ev = 's6');
select public.record_calendar_exports(:'acc_alice', (select jsonb_build_array(jsonb_build_object(
  'appointment_id', id, 'action', 'conflict', 'external_event_id', 's6', 'crm_version', crm_version,
  'remote', t.ev('s6', '"8"', 'S6 new', '2026-04-06T09:00:00Z', '2026-04-06T10:00:00Z'))) from sa where ev = 's6'));
select t.eq((select sync_status || ':' || etag || ':' || (synced_crm_version = crm_version) from sa where ev = 's6'), 'synced:"8":true', '412 with identical content converges');
-- 404 while updating a live appointment under manual -> conflict with a removed remote
update public.appointments set title = 'S3 new' where id = (select id from sa where ev = 's3');
select public.record_calendar_exports(:'acc_alice', (select jsonb_build_array(jsonb_build_object(
  'appointment_id', id, 'action', 'gone', 'external_event_id', 's3', 'crm_version', crm_version)) from sa where ev = 's3'));
select t.eq((select sync_status || ':' || remote_deleted || ':' || (deleted_at is null) from sa where ev = 's3'), 'conflict:true:true', '404 on update -> conflict (manual)');
-- crash after the provider created the event: import links it by client_id, no duplicate
insert into public.appointments (organization_id, owner_id, title, start_time, end_time)
values (:'acme', :'alice', 'Crash test', '2026-05-01T09:00:00Z', '2026-05-01T10:00:00Z') returning id as crash \gset
select t.eq((select string_agg(outcome, ',') from public.import_calendar_events(:'acc_alice', jsonb_build_array(
  t.ev('crashed-1', '"1"', 'Crash test', '2026-05-01T09:00:00Z', '2026-05-01T10:00:00Z', 'confirmed',
       jsonb_build_object('client_id', :'crash', 'time_zone', 'UTC'))))), 'linked', 'client_id links the orphan event');
select t.eq((select count(*) from public.appointments where title = 'Crash test'), 1::bigint, 'no duplicate appointment');
select t.eq((select sync_status || ':' || (synced_crm_version = crm_version) from sa where ev = 'crashed-1'), 'synced:true', 'linked in sync');
select t.eq((select count(*) from public.calendar_export_batch(:'acc_alice', 100) where appointment_id = :'crash'), 0::bigint, 'linked: no second create');
commit;

\echo '== 7. tenancy: alice''s worker session with bob''s / gina''s account ids'
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.fails(format('select * from public.import_calendar_events(%L, %L)', :'acc_bob', jsonb_build_array(t.ev('evil', '"1"', 'Evil', '2026-03-02T09:00:00Z', '2026-03-02T10:00:00Z'))), '42501', 'import into bob''s account');
select t.fails(format('select * from public.import_calendar_events(%L, %L)', :'acc_gina', jsonb_build_array(t.ev('evil', '"1"', 'Evil', '2026-03-02T09:00:00Z', '2026-03-02T10:00:00Z'))), '42501', 'import into gina''s account (other org)');
select t.fails(format('select * from public.calendar_export_batch(%L, 10)', :'acc_gina'), '42501', 'export batch of gina''s account');
select t.fails(format('select public.record_calendar_exports(%L, %L)', :'acc_bob', '[{"appointment_id":"10000000-0000-4000-8000-0000000a0002","action":"deleted","crm_version":1}]'), '42501', 'record into bob''s account');
select t.fails(format('select public.start_calendar_sync(%L, %L, %L)', :'acc_gina', 'auto', 'import'), '42501', 'start run on gina''s account');
select t.fails(format('select public.mark_calendar_account_reauth(%L, %L)', :'acc_bob', 'x'), '42501', 'reauth bob''s account');
select t.fails(format('select public.request_calendar_sync(%L)', :'acc_gina'), '42501', 'request sync of gina''s account');
select t.fails(format('select public.finish_calendar_sync(%L, %L, 0,0,0,0,0, null, null, false)', (select id from public.calendar_sync_log limit 0), 'success'), '42501', 'finish an unknown run');
select t.as_user(:'alice', :'globex');
select t.fails(format('select * from public.calendar_export_batch(%L, 10)', :'acc_gina'), '42501', 'forged org id');
select t.fails(format('select * from public.calendar_export_batch(%L, 10)', :'acc_alice'), '42501', 'own account under a forged org');
select t.fails('select * from public.claim_calendar_accounts(''w'', 1, 60)', null, 'worker may claim');
set local role authenticated;
select t.as_user(:'alice', :'acme');
select t.fails('select * from public.claim_calendar_accounts(''w'', 1, 60)', '42501', 'a person cannot claim accounts');
select t.fails(format('select * from public.import_calendar_events(%L, %L)', :'acc_alice', '[]'), '42501', 'a person cannot run import');
rollback;
select t.eq((select count(*) from public.appointments where title = 'Evil'), 0::bigint, 'nothing written anywhere');
select t.eq((select count(*) from public.calendar_sync_log l where l.calendar_account_id in (:'acc_gina', :'acc_bob') and l.status = 'running' and l.started_at > now() - interval '1 minute'), 0::bigint, 'no run opened');

\echo '== 8. runs: back-off, cursor, reauth, request; scheduling leases'
update public.calendar_accounts set next_sync_at = now() - interval '1 minute', lease_owner = null, lease_expires_at = null, sync_requested_at = null, connection_status = 'connected' where connection_status <> 'needs_reauth';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select public.start_calendar_sync(:'acc_alice', 'auto', 'import') as l1 \gset
select public.finish_calendar_sync(:'l1', 'failed', 0, 0, 0, 0, 1, '[{"message":"HTTP 503"}]', null, false);
select public.finish_calendar_sync(:'l1', 'failed', 0, 0, 0, 0, 1, '[{"message":"HTTP 503"}]', null, false);
select t.eq((select consecutive_failures || ':' || connection_status || ':' || last_error || ':' || (next_sync_at between now() + interval '119 s' and now() + interval '121 s') from public.calendar_accounts where id = :'acc_alice'),
  '1:error:HTTP 503:true', 'first failure: +2 min, status error (finish idempotent)');
select public.start_calendar_sync(:'acc_alice', 'auto', 'import') as l2 \gset
select public.finish_calendar_sync(:'l2', 'failed', 0, 0, 0, 0, 1, '[]', null, true);
select t.eq((select consecutive_failures || ':' || (next_sync_at between now() + interval '239 s' and now() + interval '241 s') || ':' || (sync_cursor is null) from public.calendar_accounts where id = :'acc_alice'),
  '2:true:true', 'second failure: +4 min, cursor cleared');
commit;
update public.calendar_accounts set consecutive_failures = 9 where id = :'acc_alice';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select public.start_calendar_sync(:'acc_alice', 'auto', 'import') as l3 \gset
select public.finish_calendar_sync(:'l3', 'failed', 0, 0, 0, 0, 1, '[]', null, false);
select t.eq((select (next_sync_at between now() + interval '59 min' and now() + interval '61 min') from public.calendar_accounts where id = :'acc_alice'), true, 'back-off capped at 60 min');
select public.start_calendar_sync(:'acc_alice', 'auto', 'import') as l4 \gset
select public.finish_calendar_sync(:'l4', 'success', 3, 0, 0, 0, 0, '[]', 'cursor-2', false);
select t.eq((select consecutive_failures || ':' || connection_status || ':' || coalesce(last_error, '-') || ':' || sync_cursor || ':' || (next_sync_at between now() + interval '299 s' and now() + interval '301 s') from public.calendar_accounts where id = :'acc_alice'),
  '0:connected:-:cursor-2:true', 'success resets');
commit;
begin;
set local role authenticated;
select t.as_user(:'alice', :'acme');
listen crmsync_sync_requested;
select public.request_calendar_sync(:'acc_alice');
select t.fails(format('select public.request_calendar_sync(%L)', :'acc_bob'), '42501', 'a person requests another user''s account');
commit;
select t.eq((select (sync_requested_at is not null) and next_sync_at <= now() from public.calendar_accounts where id = :'acc_alice'), true, 'requested: due now');
-- scheduling
update public.calendar_accounts set next_sync_at = now() + interval '1 hour' where id <> :'acc_alice';
update public.calendar_accounts set next_sync_at = now() - interval '1 minute' where id = :'acc_gina';
begin;
set local role crmsync_worker;
select t.eq((select string_agg(right(account_id::text, 4) || ':' || provider, ',' order by account_id) from public.claim_calendar_accounts('w1', 10, 60)), '0001:google,0001:google', 'w1 claims both due accounts (alice requested, gina due)');
select t.eq((select count(*) from public.claim_calendar_accounts('w2', 10, 60)), 0::bigint, 'w2 claims nothing leased');
select t.eq(public.renew_calendar_lease(:'acc_alice', 'w2', 60), false, 'w2 cannot renew w1''s lease');
select t.eq(public.renew_calendar_lease(:'acc_alice', 'w1', 60), true, 'w1 renews');
commit;
select t.eq((select sync_requested_at is null from public.calendar_accounts where id = :'acc_alice'), true, 'claim clears the request');
update public.calendar_accounts set lease_expires_at = now() - interval '1 second', next_sync_at = now() - interval '1 minute' where id = :'acc_gina';
begin;
set local role crmsync_worker;
select t.eq((select string_agg(right(account_id::text, 4), ',') from public.claim_calendar_accounts('w2', 10, 60)), '0001', 'w2 recovers the expired lease');
select t.eq(public.renew_calendar_lease(:'acc_gina', 'w1', 60), false, 'w1 lost it');
select public.release_calendar_lease(:'acc_gina', 'w1');
select t.eq((select lease_owner from public.calendar_accounts where id = :'acc_gina'), null::text, 'worker sees no lease columns of other tenants (RLS)');
commit;
select t.eq((select lease_owner from public.calendar_accounts where id = :'acc_gina'), 'w2', 'release by a non-holder is a no-op');
begin;
set local role crmsync_worker;
select public.release_calendar_lease(:'acc_gina', 'w2');
select public.release_calendar_lease(:'acc_alice', 'w1');
commit;
select t.eq((select count(*) from public.calendar_accounts where lease_owner is not null), 0::bigint, 'released');
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select public.mark_calendar_account_reauth(:'acc_alice', 'invalid_grant');
commit;
select t.eq((select connection_status || ':' || last_error from public.calendar_accounts where id = :'acc_alice'), 'needs_reauth:invalid_grant', 'reauth');
select t.eq((select count(*) from public.audit_log where target_id = :'acc_alice' and action = 'calendar_account.status_changed' and details ->> 'to' = 'needs_reauth'), 1::bigint, 'reauth audited');
update public.calendar_accounts set next_sync_at = now() - interval '1 minute' where id = :'acc_alice';
begin;
set local role crmsync_worker;
select t.eq((select count(*) from public.claim_calendar_accounts('w1', 10, 60) where account_id = :'acc_alice'), 0::bigint, 'needs_reauth is not scheduled');
rollback;
\echo '== 9. export looks only at what changed since the last complete scan''s snapshot (sql/300, 301)'
-- change_xid: the writing transaction, whatever a client sends
begin;
set local role authenticated;
select t.as_user(:'alice', :'acme');
insert into public.appointments (id, organization_id, owner_id, title, start_time, end_time, change_xid)
values ('10000000-0000-4000-8000-0000000a0901', :'acme', :'alice', 'Snap one', '2026-05-04T09:00:00Z', '2026-05-04T10:00:00Z', '1');
select t.eq((select change_xid = pg_current_xact_id() from public.appointments where id = '10000000-0000-4000-8000-0000000a0901'), true, 'a client''s change_xid is replaced on insert');
commit;
begin;
set local role authenticated;
select t.as_user(:'alice', :'acme');
update public.appointments set change_xid = '1', location = 'Room 9' where id = '10000000-0000-4000-8000-0000000a0901';
select t.eq((select change_xid = pg_current_xact_id() from public.appointments where id = '10000000-0000-4000-8000-0000000a0901'), true, 'every update stamps change_xid');
commit;
-- a person cannot call the snapshot helpers; a worker only reaches its own account
update public.calendar_accounts set export_snapshot = null, export_snapshot_at = null;
begin;
set local role authenticated;
select t.as_user(:'alice', :'acme');
select t.fails(format('select private.calendar_export_snapshot(%L)', :'acc_alice'), '42501', 'a person cannot read the export snapshot');
select t.fails(format('select private.calendar_export_snapshot_stage(%L, pg_current_snapshot(), now())', :'acc_alice'), '42501', 'a person cannot stage an export snapshot');
set local role crmsync_worker;
select private.calendar_export_snapshot_stage(:'acc_bob', pg_current_snapshot(), now());
select private.calendar_export_snapshot_stage(:'acc_gina', pg_current_snapshot(), now());
select t.as_user(:'alice', :'globex');
select private.calendar_export_snapshot_stage(:'acc_gina', pg_current_snapshot(), now());
select private.calendar_export_snapshot_stage(:'acc_alice', pg_current_snapshot(), now());
commit;
begin;
set local role crmsync_worker;
select private.calendar_export_snapshot_stage(:'acc_alice', pg_current_snapshot(), now());
select t.eq(private.calendar_export_snapshot(:'acc_alice')::text, null::text, 'no identity reads no snapshot');
commit;
select t.eq((select count(*) from public.calendar_accounts where export_snapshot is not null), 0::bigint, 'no snapshot staged for another user, organization, a forged org or no identity');
update public.calendar_accounts set export_snapshot = '1:1:', export_snapshot_at = export_watermark where id = :'acc_bob';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq(private.calendar_export_snapshot(:'acc_bob')::text, null::text, 'bob''s snapshot is not alice''s to read');
commit;
update public.calendar_accounts set export_snapshot = null, export_snapshot_at = null where id = :'acc_bob';
-- a snapshot ahead of this cluster's transaction ids (restored from elsewhere) is not used
update public.calendar_accounts set export_snapshot = '4000000000:4000000000:', export_snapshot_at = export_watermark where id = :'acc_alice';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq(private.calendar_export_snapshot(:'acc_alice')::text, null::text, 'a snapshot from the future is ignored');
commit;
update public.calendar_accounts set export_snapshot = null, export_snapshot_at = null where id = :'acc_alice';
-- a complete scan stages its snapshot; adopted with the watermark, the next scan sees only
-- rows written by transactions that snapshot did not see
update public.calendar_accounts set export_watermark = now() - interval '1 hour', export_full_scan_at = now() where id = :'acc_alice';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq((select count(*) > 0 from public.calendar_export_batch(:'acc_alice', 1000) where appointment_id = '10000000-0000-4000-8000-0000000a0901'), true, 'a scan without snapshot uses the time overlap');
commit;
select t.eq((select export_snapshot is not null and export_snapshot_at = export_watermark_staged from public.calendar_accounts where id = :'acc_alice'), true, 'a complete scan stages its snapshot');
-- with a snapshot that saw the row's transaction the row is not read again (a scan reads
-- only what changed); with one in which that transaction was still running it is
update public.calendar_accounts a
   set export_snapshot = format('%s:%s:', x.xid::text::bigint + 1, x.xid::text::bigint + 1)::pg_snapshot,
       export_snapshot_at = a.export_watermark
  from (select change_xid as xid from public.appointments where id = '10000000-0000-4000-8000-0000000a0901') x
 where a.id = :'acc_alice';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq(private.calendar_export_snapshot(:'acc_alice') is not null, true, 'alice reads her own snapshot');
select t.eq((select count(*) from public.calendar_export_batch(:'acc_alice', 1000) where appointment_id = '10000000-0000-4000-8000-0000000a0901'), 0::bigint, 'a row the snapshot saw is not read');
rollback;
update public.calendar_accounts a
   set export_snapshot = format('%s:%s:%s', x.xid, x.xid::text::bigint + 1, x.xid)::pg_snapshot,
       export_snapshot_at = a.export_watermark
  from (select change_xid as xid from public.appointments where id = '10000000-0000-4000-8000-0000000a0901') x
 where a.id = :'acc_alice';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq((select action from public.calendar_export_batch(:'acc_alice', 1000) where appointment_id = '10000000-0000-4000-8000-0000000a0901'), 'create', 'a row whose transaction the snapshot saw running is read (late commit)');
commit;
-- mapped and in sync; then a change committed after the adopted snapshot is exported
update public.calendar_accounts set export_watermark = export_watermark_staged, export_watermark_staged = null where id = :'acc_alice';
insert into public.calendar_event_mappings (organization_id, appointment_id, calendar_account_id, external_event_id, etag, sync_status, synced_crm_version)
select :'acme', id, :'acc_alice', 'snap-one', '"1"', 'synced', crm_version from public.appointments where id = '10000000-0000-4000-8000-0000000a0901';
begin;
set local role authenticated;
select t.as_user(:'alice', :'acme');
update public.appointments set title = 'Snap one, renamed' where id = '10000000-0000-4000-8000-0000000a0901';
commit;
update public.calendar_accounts set export_watermark = export_watermark_staged, export_watermark_staged = null where id = :'acc_alice';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq((select action from public.calendar_export_batch(:'acc_alice', 1000) where appointment_id = '10000000-0000-4000-8000-0000000a0901'), 'update', 'a change committed after the snapshot is exported');
commit;

\echo '== all checks passed'
