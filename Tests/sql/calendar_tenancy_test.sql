/*
 * Tests/sql/calendar_tenancy_test.sql — psql checks of the sync engine's SQL API: a worker session with another user's or organization's account ids.
 *
 * Run on a scratch database holding every migration and demo/seed.sql (see run.sh next to
 * this file). Each step runs as the app would (crmsync_worker or authenticated, with
 * request.jwt.claims and app.org_id); checks raise an exception (ON_ERROR_STOP stops psql).
 */
\ir calendar_helpers.psql

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

\echo '== all checks passed'
