/*
 * Tests/sql/calendar_export_results_test.sql — psql checks of the sync engine's SQL API: record_calendar_exports: 412 with the remote version, 404 on update, crash recovery via client_id.
 *
 * Run on a scratch database holding every migration and demo/seed.sql (see run.sh next to
 * this file). Each step runs as the app would (crmsync_worker or authenticated, with
 * request.jwt.claims and app.org_id); checks raise an exception (ON_ERROR_STOP stops psql).
 *
 * Set-up: s5 pending (kept from the CRM), s3 and s6 in sync after remote edits.
 */
\ir calendar_helpers.psql

-- set-up (no checks): s3, s5 and s6 imported; s5 edited in the CRM and kept over an older
-- remote version (pending); s6 and s3 updated from newer remote versions
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select count(*) from public.import_calendar_events(:'acc_alice', jsonb_build_array(
  t.ev('s3', '"1"', 'S3', '2026-04-03T09:00:00Z', '2026-04-03T10:00:00Z'),
  t.ev('s5', '"1"', 'S5', '2026-04-05T09:00:00Z', '2026-04-05T10:00:00Z'),
  t.ev('s6', '"1"', 'S6', '2026-04-06T09:00:00Z', '2026-04-06T10:00:00Z')));
create temp view sa as
  select m.external_event_id as ev, a.* , m.etag, m.sync_status, m.synced_crm_version, m.remote_deleted
    from public.appointments a join public.calendar_event_mappings m on m.appointment_id = a.id and m.calendar_account_id = :'acc_alice';
update public.appointments a set title = a.title || ' crm' from sa where sa.id = a.id and sa.ev = 's5';
commit;
update public.calendar_accounts set conflict_strategy = 'latest_wins' where id = :'acc_alice';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select count(*) from public.import_calendar_events(:'acc_alice', jsonb_build_array(
  t.ev('s3', '"2"', 'S3 cal', '2026-04-03T09:00:00Z', '2026-04-03T11:00:00Z'),
  t.ev('s5', '"2"', 'S5 cal', '2026-04-05T09:00:00Z', '2026-04-05T10:00:00Z', 'confirmed', jsonb_build_object('updated', (now() - interval '1 hour')::text)),
  t.ev('s6', '"2"', 'S6 cal', '2026-04-06T09:00:00Z', '2026-04-06T10:00:00Z', 'confirmed', jsonb_build_object('updated', (now() + interval '1 hour')::text))));
select t.eq((select string_agg(ev || ':' || sync_status || ':' || etag, ',' order by ev) from sa where ev in ('s3', 's5', 's6')),
            's3:synced:"2",s5:pending:"2",s6:synced:"2"', 'set-up: s5 pending, s3 and s6 in sync');
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

\echo '== all checks passed'
