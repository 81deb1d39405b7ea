/*
 * Tests/sql/calendar_conflicts_test.sql — psql checks of the sync engine's SQL API: both sides changed under manual: one open conflict; resolving it.
 *
 * Run on a scratch database holding every migration and demo/seed.sql (see run.sh next to
 * this file). Each step runs as the app would (crmsync_worker or authenticated, with
 * request.jwt.claims and app.org_id); checks raise an exception (ON_ERROR_STOP stops psql).
 *
 * Set-up: e1 edited on both sides before (version 3, etag "4").
 */
\ir calendar_helpers.psql

-- set-up (no checks): e1 imported (version 1), edited in the CRM and exported (2, etag "2"),
-- edited in the calendar (3, etag "3"), then an etag-only change (etag "4")
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select count(*) from public.import_calendar_events(:'acc_alice', jsonb_build_array(
  t.ev('e1', '"1"', 'Kickoff', '2026-03-02T09:00:00Z', '2026-03-02T10:00:00Z')));
update public.appointments set title = 'Kickoff v2' where id = (select appointment_id from public.calendar_event_mappings where external_event_id = 'e1');
select public.record_calendar_exports(:'acc_alice', jsonb_build_array(jsonb_build_object(
  'appointment_id', (select appointment_id from public.calendar_event_mappings where external_event_id = 'e1'),
  'action', 'updated', 'external_event_id', 'e1', 'etag', '"2"', 'crm_version', 2)));
select count(*) from public.import_calendar_events(:'acc_alice',
  jsonb_build_array(t.ev('e1', '"3"', 'Kickoff v3', '2026-03-02T09:30:00Z', '2026-03-02T10:30:00Z')));
select count(*) from public.import_calendar_events(:'acc_alice',
  jsonb_build_array(t.ev('e1', '"4"', 'Kickoff v3', '2026-03-02T09:30:00Z', '2026-03-02T10:30:00Z')));
commit;
select t.eq((select a.title || ':' || a.crm_version || ':' || m.synced_crm_version || ':' || m.etag from public.appointments a join public.calendar_event_mappings m on m.appointment_id = a.id where m.external_event_id = 'e1'),
            'Kickoff v3:3:3:"4"', 'set-up: e1 at version 3, etag "4"');

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

\echo '== all checks passed'
