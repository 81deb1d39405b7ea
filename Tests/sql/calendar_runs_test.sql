/*
 * Tests/sql/calendar_runs_test.sql — psql checks of the sync engine's SQL API: runs (back-off, cursor, reauth, request) and scheduling leases.
 *
 * Run on a scratch database holding every migration and demo/seed.sql (see run.sh next to
 * this file). Each step runs as the app would (crmsync_worker or authenticated, with
 * request.jwt.claims and app.org_id); checks raise an exception (ON_ERROR_STOP stops psql).
 */
\ir calendar_helpers.psql

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

\echo '== all checks passed'
