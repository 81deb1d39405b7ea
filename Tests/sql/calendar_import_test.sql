/*
 * Tests/sql/calendar_import_test.sql — psql checks of the sync engine's SQL API: the first import (created, ignored, invalid) and its replay.
 *
 * Run on a scratch database holding every migration and demo/seed.sql (see run.sh next to
 * this file). Each step runs as the app would (crmsync_worker or authenticated, with
 * request.jwt.claims and app.org_id); checks raise an exception (ON_ERROR_STOP stops psql).
 */
\ir calendar_helpers.psql

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

\echo '== all checks passed'
