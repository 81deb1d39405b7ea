/*
 * Tests/sql/calendar_export_test.sql — psql checks of the sync engine's SQL API: an export run: create, record (idempotent), the echo of our own write.
 *
 * Run on a scratch database holding every migration and demo/seed.sql (see run.sh next to
 * this file). Each step runs as the app would (crmsync_worker or authenticated, with
 * request.jwt.claims and app.org_id); checks raise an exception (ON_ERROR_STOP stops psql).
 */
\ir calendar_helpers.psql

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

\echo '== all checks passed'
