/*
 * Tests/sql/calendar_strategies_test.sql — psql checks of the sync engine's SQL API: crm_wins, calendar_wins, latest_wins; deletions both ways.
 *
 * Run on a scratch database holding every migration and demo/seed.sql (see run.sh next to
 * this file). Each step runs as the app would (crmsync_worker or authenticated, with
 * request.jwt.claims and app.org_id); checks raise an exception (ON_ERROR_STOP stops psql).
 */
\ir calendar_helpers.psql

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

\echo '== all checks passed'
