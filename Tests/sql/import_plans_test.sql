/*
 * Tests/sql/import_plans_test.sql — the import's and the export's work follows the page, not
 * the account, whatever the statistics say (sql/303, sql/304).
 *
 * The statistics often do not know a new account: its thousands of mappings are below
 * ANALYZE's thresholds. With few accounts known, the planner then guesses the new one has a
 * single mapping, and plans made for that guess once read all of the account's mappings for
 * every event of a changed page (5-9 s a page) and for every export candidate (22 s a batch).
 * Here the database holds another account's 30,000 rows, analyzed, then the new account's
 * 4,000 (autovacuum off for the two tables, so nothing analyzes behind the test's back); the
 * rows each call reads are counted from the transaction's own statistics (pg_stat_get_xact_*):
 * they must grow with the page or the changes (at most 20 rows per event, 10 per changed
 * appointment: a few index probes each), not with the account (4,000 mappings) or the
 * organization (34,000 appointments).
 *
 * Run on a scratch database holding every migration and demo/seed.sql, like the others here.
 */
\ir test_helpers.psql
\set acme '10000000-0000-4000-8000-000000000001'
\set perf '10000000-0000-4000-8000-0000000000f1'
\set acc_perf '10000000-0000-4000-8000-0000000c00f1'
\set bulk '10000000-0000-4000-8000-0000000000f2'
\set acc_bulk '10000000-0000-4000-8000-0000000c00f2'
\set mapped 4000
\set page 200
\set others 2000

-- events e1..eN of one calendar, version p_rev (a new etag and title per version)
create or replace function t.events(p_from int, p_count int, p_rev int) returns jsonb language sql as $$
  select jsonb_agg(jsonb_build_object(
           'id', 'e' || i, 'etag', '"' || p_rev || '"', 'status', 'confirmed', 'title', 'Event ' || i || ' v' || p_rev,
           'description', null, 'location', null, 'all_day', false,
           'start', timestamptz '2026-05-04 08:00Z' + i * interval '1 hour',
           'end', timestamptz '2026-05-04 08:30Z' + i * interval '1 hour',
           'time_zone', 'UTC', 'updated', timestamptz '2026-05-01 00:00Z' + p_rev * interval '1 day') order by i)
    from generate_series(p_from, p_from + p_count - 1) i
$$;
-- rows read so far in this transaction from the appointments and the mappings
create or replace function t.rows_read() returns bigint language sql as $$
  select t.rows_read('public.appointments') + t.rows_read('public.calendar_event_mappings')
$$;
grant execute on all functions in schema t to public;

\echo '== 0. statistics of a database that knows its tables, but not the new account'
-- another member's account with 30,000 mapped appointments, analyzed; the new account's
-- 4,000 rows then add too little for anyone to analyze again (ANALYZE's thresholds, and the
-- import's own refresh when a table doubles), so the planner knows nothing of the new account
insert into public.user_organizations (organization_id, user_id, role) values (:'acme', :'bulk', 'member'), (:'acme', :'perf', 'member');
insert into public.calendar_accounts (id, organization_id, user_id, provider, email, calendar_id, conflict_strategy)
values (:'acc_bulk', :'acme', :'bulk', 'google', 'bulk@acme.example', 'primary', 'calendar_wins'),
       (:'acc_perf', :'acme', :'perf', 'google', 'perf@acme.example', 'primary', 'calendar_wins');
alter table public.appointments set (autovacuum_enabled = false);
alter table public.calendar_event_mappings set (autovacuum_enabled = false);
insert into public.appointments (id, organization_id, owner_id, title, start_time, end_time)
select md5('bulk' || i)::uuid, :'acme', :'bulk', 'Bulk ' || i, timestamptz '2026-01-01' + i * interval '1 hour', timestamptz '2026-01-01' + i * interval '1 hour'
  from generate_series(1, 30000) i;
insert into public.calendar_event_mappings (organization_id, appointment_id, calendar_account_id, external_event_id, etag, sync_status, sync_direction, synced_crm_version)
select :'acme', md5('bulk' || i)::uuid, :'acc_bulk', 'bulk' || i, '"1"', 'synced', 'import', 1
  from generate_series(1, 30000) i;
analyze public.appointments;
analyze public.calendar_event_mappings;

\echo '== 1. the account gets its events, a page at a time, as the engine imports them'
select format('begin; set local role crmsync_worker; select t.as_user(%L, %L); '
              'select t.eq((select count(*) from public.import_calendar_events(%L, t.events(%s, 1000, 1)) where outcome = ''created''), 1000::bigint, %L); commit;',
              :'perf', :'acme', :'acc_perf', n, 'page of new events from e' || n)
  from generate_series(1, :mapped, 1000) n \gexec

\echo '== 2. a page of changed events reads rows per event, not per mapping of the account'
begin;
set local role crmsync_worker;
select t.as_user(:'perf', :'acme');
select t.rows_read() as before \gset
select t.eq((select count(*) from public.import_calendar_events(:'acc_perf', t.events(1, :page, 2)) where outcome = 'updated'),
            (:page)::bigint, 'a page of changed events: every one updated');
select t.rows_read() - :before as reads \gset
\echo 'rows read for' :page 'changed events of an account with' :mapped 'mappings:' :reads
select t.eq(:reads < 20 * :page, true, 'rows read by the import grow with the page, not the account');
commit;

\echo '== 3. an export batch reads rows per changed appointment, not per mapping of the account'
-- a complete export scan (nothing to send), adopted by a successful run: from now on the
-- batch looks only at what changed since
begin;
set local role crmsync_worker;
select t.as_user(:'perf', :'acme');
select public.start_calendar_sync(:'acc_perf', 'auto', 'bidirectional') as log_id \gset
select t.eq((select count(*) from public.calendar_export_batch(:'acc_perf', 10000)), 0::bigint, 'full scan: nothing to export');
select public.finish_calendar_sync(:'log_id', 'success', 0, 0, 0, 0, 0, null, 'cursor-1', false);
commit;
-- people change appointments in the CRM: the account's owner some of theirs, another member
-- many more of their own (candidates too: the batch looks at the organization's changes, as
-- an appointment may have moved to another owner)
begin;
set local role authenticated;
select t.as_user(:'perf', :'acme');
update public.appointments a set title = a.title || ' (moved)'
  from public.calendar_event_mappings m
 where m.calendar_account_id = :'acc_perf' and m.appointment_id = a.id
   and m.external_event_id in (select 'e' || i from generate_series(2001, 2000 + :page) i);
select t.as_user(:'bulk', :'acme');
update public.appointments a set title = a.title || ' (moved)'
 where a.owner_id = :'bulk' and a.id in (select md5('bulk' || i)::uuid from generate_series(1, :others) i);
commit;
-- The batch reads the organization's appointments written since the oldest transaction that
-- was running when the last scan took its snapshot (those it then finds visible are skipped):
-- on a busy server (the other test suites) that may reach back to section 1. Counted here, so
-- that what is asserted is the rest: the probes per changed appointment.
select count(*) as since_snapshot
  from public.appointments a, public.calendar_accounts c
 where c.id = :'acc_perf' and a.organization_id = :'acme'
   and a.change_xid >= pg_snapshot_xmin(c.export_snapshot) \gset
begin;
set local role crmsync_worker;
select t.as_user(:'perf', :'acme');
select t.rows_read() as before \gset
select t.eq((select count(*) from public.calendar_export_batch(:'acc_perf', 1000) where action = 'update'),
            (:page)::bigint, 'the changed appointments are the batch');
select t.rows_read() - :before as reads \gset
\echo 'rows read for an export batch of' :page 'changes (' :others 'more in the organization) in an account with' :mapped 'mappings,' :since_snapshot 'appointments written since the snapshot''s oldest transaction:' :reads
select t.eq(:reads < 2 * :since_snapshot + 10 * (:page + :others), true, 'rows read by the export batch grow with the changes, not the account');

\echo '== 4. recording the batch''s results reads rows per result, not per mapping of the account'
create temp table results on commit drop as
select jsonb_agg(jsonb_build_object('appointment_id', m.appointment_id, 'action', 'updated', 'external_event_id', m.external_event_id,
                                    'etag', '"3"', 'crm_version', a.crm_version)) as j
  from public.calendar_event_mappings m
  join public.appointments a on a.organization_id = m.organization_id and a.id = m.appointment_id
 where m.calendar_account_id = :'acc_perf' and a.crm_version > m.synced_crm_version;
select t.rows_read() as before \gset
select t.eq(public.record_calendar_exports(:'acc_perf', (select j from results)), (:page)::int, 'every result recorded');
select t.rows_read() - :before as reads \gset
\echo 'rows read to record' :page 'results:' :reads
select t.eq(:reads < 20 * :page, true, 'rows read by record_calendar_exports grow with the results, not the account');
commit;
