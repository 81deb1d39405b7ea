/*
 * Tests/sql/calendar_update_test.sql — psql checks of the sync engine's SQL API: a CRM edit exported with If-Match, its echo, a remote edit imported.
 *
 * Run on a scratch database holding every migration and demo/seed.sql (see run.sh next to
 * this file). Each step runs as the app would (crmsync_worker or authenticated, with
 * request.jwt.claims and app.org_id); checks raise an exception (ON_ERROR_STOP stops psql).
 *
 * Set-up: e1 imported; a finished run exported 0007 and failed to update 0005.
 */
\ir calendar_helpers.psql

-- set-up (no checks): e1 imported at version 1; a run that exported 0007 and failed to update 0005
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select count(*) from public.import_calendar_events(:'acc_alice', jsonb_build_array(
  t.ev('e1', '"1"', 'Kickoff', '2026-03-02T09:00:00Z', '2026-03-02T10:00:00Z')));
select public.start_calendar_sync(:'acc_alice', 'manual', 'bidirectional') as log_id \gset
select count(*) from public.calendar_export_batch(:'acc_alice', 100);
select public.record_calendar_exports(:'acc_alice', jsonb_build_array(
  jsonb_build_object('appointment_id', '10000000-0000-4000-8000-0000000a0007', 'action', 'created', 'external_event_id', 'x7', 'etag', '"x7-1"', 'crm_version', 1),
  jsonb_build_object('appointment_id', '10000000-0000-4000-8000-0000000a0005', 'action', 'error', 'error', 'HTTP 400 bad time zone')));
select public.finish_calendar_sync(:'log_id', 'partial', 0, 1, 0, 0, 1, '[{"message":"HTTP 400 bad time zone"}]', 'cursor-1', false);
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

\echo '== all checks passed'
