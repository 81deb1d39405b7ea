/*
 * private.calendar_export_snapshot.sql — calendar_export_batch helper: the snapshot of the
 * caller's account's last adopted export scan, or null (then the time overlap applies; also for
 * a snapshot ahead of this cluster's transaction ids). Own accounts only.
 */
set local role crmsync_owner;

create or replace function private.calendar_export_snapshot(p_account_id uuid)
returns pg_snapshot
language sql
stable
security definer
set search_path = ''
as $$
  select a.export_snapshot
    from public.calendar_accounts a
   where a.organization_id = private.current_org_id()
     and a.id = p_account_id
     and a.user_id = auth.uid()
     and a.export_snapshot_at = a.export_watermark
     -- a snapshot from another cluster's transaction ids (a dump restored elsewhere) is ignored
     and pg_catalog.pg_snapshot_xmax(a.export_snapshot) <= pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())
$$;
comment on function private.calendar_export_snapshot(uuid) is
  'calendar_export_batch helper: the snapshot of the caller''s account''s last adopted export scan, or null (then the time overlap applies; also for a snapshot ahead of this cluster''s transaction ids). Own accounts only.';
revoke execute on function private.calendar_export_snapshot(uuid) from public;
grant execute on function private.calendar_export_snapshot(uuid) to crmsync_worker;
