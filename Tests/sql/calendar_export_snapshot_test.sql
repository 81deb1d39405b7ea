/*
 * Tests/sql/calendar_export_snapshot_test.sql — psql checks of the sync engine's SQL API: export reads only what changed since the last complete scan's snapshot (sql/300, 301).
 *
 * Run on a scratch database holding every migration and demo/seed.sql (see run.sh next to
 * this file). Each step runs as the app would (crmsync_worker or authenticated, with
 * request.jwt.claims and app.org_id); checks raise an exception (ON_ERROR_STOP stops psql).
 */
\ir calendar_helpers.psql

\echo '== 9. export looks only at what changed since the last complete scan''s snapshot (sql/300, 301)'
-- change_xid: the writing transaction, whatever a client sends
begin;
set local role authenticated;
select t.as_user(:'alice', :'acme');
insert into public.appointments (id, organization_id, owner_id, title, start_time, end_time, change_xid)
values ('10000000-0000-4000-8000-0000000a0901', :'acme', :'alice', 'Snap one', '2026-05-04T09:00:00Z', '2026-05-04T10:00:00Z', '1');
select t.eq((select change_xid = pg_current_xact_id() from public.appointments where id = '10000000-0000-4000-8000-0000000a0901'), true, 'a client''s change_xid is replaced on insert');
commit;
begin;
set local role authenticated;
select t.as_user(:'alice', :'acme');
update public.appointments set change_xid = '1', location = 'Room 9' where id = '10000000-0000-4000-8000-0000000a0901';
select t.eq((select change_xid = pg_current_xact_id() from public.appointments where id = '10000000-0000-4000-8000-0000000a0901'), true, 'every update stamps change_xid');
commit;
-- a person cannot call the snapshot helpers; a worker only reaches its own account
update public.calendar_accounts set export_snapshot = null, export_snapshot_at = null;
begin;
set local role authenticated;
select t.as_user(:'alice', :'acme');
select t.fails(format('select private.calendar_export_snapshot(%L)', :'acc_alice'), '42501', 'a person cannot read the export snapshot');
select t.fails(format('select private.calendar_export_snapshot_stage(%L, pg_current_snapshot(), now())', :'acc_alice'), '42501', 'a person cannot stage an export snapshot');
set local role crmsync_worker;
select private.calendar_export_snapshot_stage(:'acc_bob', pg_current_snapshot(), now());
select private.calendar_export_snapshot_stage(:'acc_gina', pg_current_snapshot(), now());
select t.as_user(:'alice', :'globex');
select private.calendar_export_snapshot_stage(:'acc_gina', pg_current_snapshot(), now());
select private.calendar_export_snapshot_stage(:'acc_alice', pg_current_snapshot(), now());
commit;
begin;
set local role crmsync_worker;
select private.calendar_export_snapshot_stage(:'acc_alice', pg_current_snapshot(), now());
select t.eq(private.calendar_export_snapshot(:'acc_alice')::text, null::text, 'no identity reads no snapshot');
commit;
select t.eq((select count(*) from public.calendar_accounts where export_snapshot is not null), 0::bigint, 'no snapshot staged for another user, organization, a forged org or no identity');
update public.calendar_accounts set export_snapshot = '1:1:', export_snapshot_at = export_watermark where id = :'acc_bob';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq(private.calendar_export_snapshot(:'acc_bob')::text, null::text, 'bob''s snapshot is not alice''s to read');
commit;
update public.calendar_accounts set export_snapshot = null, export_snapshot_at = null where id = :'acc_bob';
-- a snapshot ahead of this cluster's transaction ids (restored from elsewhere) is not used
update public.calendar_accounts set export_snapshot = '4000000000:4000000000:', export_snapshot_at = export_watermark where id = :'acc_alice';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq(private.calendar_export_snapshot(:'acc_alice')::text, null::text, 'a snapshot from the future is ignored');
commit;
update public.calendar_accounts set export_snapshot = null, export_snapshot_at = null where id = :'acc_alice';
-- a complete scan stages its snapshot; adopted with the watermark, the next scan sees only
-- rows written by transactions that snapshot did not see
update public.calendar_accounts set export_watermark = now() - interval '1 hour', export_full_scan_at = now() where id = :'acc_alice';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq((select count(*) > 0 from public.calendar_export_batch(:'acc_alice', 1000) where appointment_id = '10000000-0000-4000-8000-0000000a0901'), true, 'a scan without snapshot uses the time overlap');
commit;
select t.eq((select export_snapshot is not null and export_snapshot_at = export_watermark_staged from public.calendar_accounts where id = :'acc_alice'), true, 'a complete scan stages its snapshot');
-- with a snapshot that saw the row's transaction the row is not read again (a scan reads
-- only what changed); with one in which that transaction was still running it is
update public.calendar_accounts a
   set export_snapshot = format('%s:%s:', x.xid::text::bigint + 1, x.xid::text::bigint + 1)::pg_snapshot,
       export_snapshot_at = a.export_watermark
  from (select change_xid as xid from public.appointments where id = '10000000-0000-4000-8000-0000000a0901') x
 where a.id = :'acc_alice';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq(private.calendar_export_snapshot(:'acc_alice') is not null, true, 'alice reads her own snapshot');
select t.eq((select count(*) from public.calendar_export_batch(:'acc_alice', 1000) where appointment_id = '10000000-0000-4000-8000-0000000a0901'), 0::bigint, 'a row the snapshot saw is not read');
rollback;
update public.calendar_accounts a
   set export_snapshot = format('%s:%s:%s', x.xid, x.xid::text::bigint + 1, x.xid)::pg_snapshot,
       export_snapshot_at = a.export_watermark
  from (select change_xid as xid from public.appointments where id = '10000000-0000-4000-8000-0000000a0901') x
 where a.id = :'acc_alice';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq((select action from public.calendar_export_batch(:'acc_alice', 1000) where appointment_id = '10000000-0000-4000-8000-0000000a0901'), 'create', 'a row whose transaction the snapshot saw running is read (late commit)');
commit;
-- mapped and in sync; then a change committed after the adopted snapshot is exported
update public.calendar_accounts set export_watermark = export_watermark_staged, export_watermark_staged = null where id = :'acc_alice';
insert into public.calendar_event_mappings (organization_id, appointment_id, calendar_account_id, external_event_id, etag, sync_status, synced_crm_version)
select :'acme', id, :'acc_alice', 'snap-one', '"1"', 'synced', crm_version from public.appointments where id = '10000000-0000-4000-8000-0000000a0901';
begin;
set local role authenticated;
select t.as_user(:'alice', :'acme');
update public.appointments set title = 'Snap one, renamed' where id = '10000000-0000-4000-8000-0000000a0901';
commit;
update public.calendar_accounts set export_watermark = export_watermark_staged, export_watermark_staged = null where id = :'acc_alice';
begin;
set local role crmsync_worker;
select t.as_user(:'alice', :'acme');
select t.eq((select action from public.calendar_export_batch(:'acc_alice', 1000) where appointment_id = '10000000-0000-4000-8000-0000000a0901'), 'update', 'a change committed after the snapshot is exported');
commit;

\echo '== all checks passed'
