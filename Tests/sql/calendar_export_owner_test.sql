/*
 * Tests/sql/calendar_export_owner_test.sql — psql checks of the sync engine's SQL API: between
 * full scans the export reads only its user's appointments (sql/migrations/365), and still
 * deletes the event of an appointment soft-deleted or reassigned to someone else.
 *
 * Run on a scratch database holding every migration and demo/seed.sql (see run.sh next to
 * this file). Each step runs as the app would (crmsync_worker or authenticated, with
 * request.jwt.claims and app.org_id); checks raise an exception (ON_ERROR_STOP stops psql).
 */
\ir calendar_helpers.psql

\echo '== export between full scans: the user''s appointments, plus the ones reassigned away'
-- three appointments of alice, exported to her calendar and in sync; one of bob's
insert into public.appointments (id, organization_id, owner_id, title, start_time, end_time) values
  ('10000000-0000-4000-8000-0000000a3651', :'acme', :'alice', 'Own one', '2026-06-01T09:00:00Z', '2026-06-01T10:00:00Z'),
  ('10000000-0000-4000-8000-0000000a3652', :'acme', :'alice', 'Own two', '2026-06-02T09:00:00Z', '2026-06-02T10:00:00Z'),
  ('10000000-0000-4000-8000-0000000a3653', :'acme', :'alice', 'Own three', '2026-06-03T09:00:00Z', '2026-06-03T10:00:00Z'),
  ('10000000-0000-4000-8000-0000000a3654', :'acme', :'bob', 'Bob''s', '2026-06-04T09:00:00Z', '2026-06-04T10:00:00Z');
insert into public.calendar_event_mappings (organization_id, appointment_id, calendar_account_id, external_event_id, etag, sync_status, synced_crm_version)
select :'acme', a.id, :'acc_alice', 'own-' || right(a.id::text, 1), '"1"', 'synced', a.crm_version
  from public.appointments a where a.id in ('10000000-0000-4000-8000-0000000a3651', '10000000-0000-4000-8000-0000000a3652',
                                            '10000000-0000-4000-8000-0000000a3653');
insert into public.calendar_event_mappings (organization_id, appointment_id, calendar_account_id, external_event_id, etag, sync_status, synced_crm_version)
select :'acme', a.id, :'acc_bob', 'bobs', '"1"', 'synced', a.crm_version from public.appointments a where a.id = '10000000-0000-4000-8000-0000000a3654';

-- statistics as a running database has them (a restored one has none until autovacuum runs,
-- and then every index that starts with organization_id looks alike to the planner)
analyze public.appointments, public.calendar_event_mappings;

-- the last complete scans of both accounts saw all of it (snapshot adopted with the watermark)
create or replace function t.scanned_now() returns void language sql as $$
  update public.calendar_accounts
     set export_watermark = now(), export_full_scan_at = now(), export_snapshot = pg_current_snapshot(), export_snapshot_at = now()
   where id in ('10000000-0000-4000-8000-0000000c0001', '10000000-0000-4000-8000-0000000c0002')
$$;
select t.scanned_now();
-- the export's action for one appointment in an account, as its user's worker sees it
create or replace function t.action_of(p_account uuid, p_appointment uuid) returns text language sql as $$
  select b.action from public.calendar_export_batch(p_account, 1000) b where b.appointment_id = p_appointment
$$;
grant execute on all functions in schema t to public;

begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq((select count(*) from public.calendar_export_batch(:'acc_alice', 1000)), 0::bigint, 'nothing changed since the snapshot: nothing to export');
rollback;
-- bob writes 500 appointments after alice's last scan: her next export does not read them
insert into public.appointments (organization_id, owner_id, title, start_time, end_time)
select :'acme', :'bob', 'Bob''s ' || i, timestamptz '2026-07-01 09:00Z' + i * interval '1 hour', timestamptz '2026-07-01 10:00Z' + i * interval '1 hour'
  from generate_series(1, 500) i;
-- analyzed now, so the export's own statistics refresh (an ANALYZE that reads them all) has
-- nothing to do: what is counted below is the export's reading
analyze public.appointments;
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.rows_read('public.appointments') as before_export \gset
select t.eq((select count(*) from public.calendar_export_batch(:'acc_alice', 1000)), 0::bigint, 'the rest of the organization''s writes are not alice''s to export');
select t.eq(t.rows_read('public.appointments') - :before_export < 50, true, 'a no-change export reads the user''s appointments, not the 500 the organization wrote');
select t.as_user(:'bob', :'acme');
select t.eq((select count(*) from public.calendar_export_batch(:'acc_bob', 1000)), 500::bigint, 'bob''s own new appointments are his to export');
rollback;
delete from public.appointments where owner_id = :'bob' and title like 'Bob''s %';

-- bob changes his own appointment, alice reassigns one of hers to bob and deletes another
begin;
set local role authenticated;
select t.as_user(:'bob', :'acme');
update public.appointments set title = 'Bob''s, renamed' where id = '10000000-0000-4000-8000-0000000a3654';
select t.as_user(:'alice', :'acme');
update public.appointments set owner_id = :'bob' where id = '10000000-0000-4000-8000-0000000a3651';
update public.appointments set deleted_at = now() where id = '10000000-0000-4000-8000-0000000a3652';
commit;
select t.eq((select sync_status from public.calendar_event_mappings where calendar_account_id = :'acc_alice'
              and appointment_id = '10000000-0000-4000-8000-0000000a3651'), 'pending', 'a reassignment marks the old owner''s mapping pending');
select t.eq((select sync_status from public.calendar_event_mappings where calendar_account_id = :'acc_alice'
              and appointment_id = '10000000-0000-4000-8000-0000000a3652'), 'synced', 'a soft delete marks no mapping');

begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq(t.action_of(:'acc_alice', '10000000-0000-4000-8000-0000000a3651'), 'delete', 'snapshot: an appointment reassigned away is deleted from the old owner''s calendar');
select t.eq(t.action_of(:'acc_alice', '10000000-0000-4000-8000-0000000a3652'), 'delete', 'snapshot: a soft-deleted appointment is deleted');
select t.as_user(:'bob', :'acme');
select t.eq(t.action_of(:'acc_bob', '10000000-0000-4000-8000-0000000a3651'), 'create', 'snapshot: the new owner''s calendar gets the appointment');
select t.eq(t.action_of(:'acc_bob', '10000000-0000-4000-8000-0000000a3654'), 'update', 'snapshot: the new owner''s own change is exported');
rollback;

-- the same without a usable snapshot: the time overlap after the watermark
update public.calendar_accounts set export_snapshot = null, export_snapshot_at = null where id in (:'acc_alice', :'acc_bob');
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq(t.action_of(:'acc_alice', '10000000-0000-4000-8000-0000000a3651'), 'delete', 'watermark: an appointment reassigned away is deleted from the old owner''s calendar');
select t.eq(t.action_of(:'acc_alice', '10000000-0000-4000-8000-0000000a3652'), 'delete', 'watermark: a soft-deleted appointment is deleted');
select t.eq(t.action_of(:'acc_alice', '10000000-0000-4000-8000-0000000a3653'), null::text, 'watermark: an unchanged appointment has nothing to export');
rollback;

-- the deletion recorded: the mapping is in sync (deleted) and no longer a candidate
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select public.record_calendar_exports(:'acc_alice', jsonb_build_array(
  jsonb_build_object('appointment_id', '10000000-0000-4000-8000-0000000a3651', 'action', 'deleted', 'crm_version', 2)));
commit;
select t.eq((select sync_status || ' ' || remote_deleted from public.calendar_event_mappings where calendar_account_id = :'acc_alice'
              and appointment_id = '10000000-0000-4000-8000-0000000a3651'), 'synced true', 'the recorded deletion settles the mapping');

-- reassigned back before the old owner's export ran: an update, not a delete
select t.scanned_now();
begin;
set local role authenticated;
select t.as_user(:'alice', :'acme');
update public.appointments set owner_id = :'bob' where id = '10000000-0000-4000-8000-0000000a3653';
update public.appointments set owner_id = :'alice' where id = '10000000-0000-4000-8000-0000000a3653';
commit;
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq(t.action_of(:'acc_alice', '10000000-0000-4000-8000-0000000a3653'), 'update', 'reassigned away and back: the event is updated, not deleted');
rollback;

-- a mapping in conflict keeps its status; a mapping already deleted remotely is not marked
update public.calendar_event_mappings set sync_status = 'conflict'
 where calendar_account_id = :'acc_alice' and appointment_id = '10000000-0000-4000-8000-0000000a3653';
begin;
set local role authenticated;
select t.as_user(:'alice', :'acme');
update public.appointments set owner_id = :'bob' where id = '10000000-0000-4000-8000-0000000a3653';
update public.appointments set owner_id = :'alice' where id = '10000000-0000-4000-8000-0000000a3651';
update public.appointments set owner_id = :'bob' where id = '10000000-0000-4000-8000-0000000a3651';
commit;
select t.eq((select sync_status from public.calendar_event_mappings where calendar_account_id = :'acc_alice'
              and appointment_id = '10000000-0000-4000-8000-0000000a3653'), 'conflict', 'a conflict stays a conflict');
select t.eq((select sync_status from public.calendar_event_mappings where calendar_account_id = :'acc_alice'
              and appointment_id = '10000000-0000-4000-8000-0000000a3651'), 'synced', 'a mapping whose event is gone is not marked');
-- the trigger writes other users' mappings for the person, and nothing of another organization
select t.eq((select count(*) from public.calendar_event_mappings where organization_id = :'globex' and sync_status = 'pending'
              and updated_at > now() - interval '1 minute'), 0::bigint, 'no mapping of another organization is touched');

\echo '== all checks passed'
