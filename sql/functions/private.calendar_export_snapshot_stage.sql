/*
 * private.calendar_export_snapshot_stage.sql — calendar_export_batch helper: remembers the
 * snapshot of a complete scan with its staged watermark; it counts once finish_calendar_sync
 * adopts that watermark. Own accounts only.
 */
set local role crmsync_owner;

create or replace function private.calendar_export_snapshot_stage(p_account_id uuid, p_snapshot pg_snapshot, p_at timestamptz)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  update public.calendar_accounts a
     set export_snapshot = p_snapshot,
         export_snapshot_at = p_at
   where a.organization_id = private.current_org_id()
     and a.id = p_account_id
     and a.user_id = auth.uid()
$$;
comment on function private.calendar_export_snapshot_stage(uuid, pg_snapshot, timestamptz) is
  'calendar_export_batch helper: remembers the snapshot of a complete scan with its staged watermark; it counts once finish_calendar_sync adopts that watermark. Own accounts only.';
revoke execute on function private.calendar_export_snapshot_stage(uuid, pg_snapshot, timestamptz) from public;
grant execute on function private.calendar_export_snapshot_stage(uuid, pg_snapshot, timestamptz) to crmsync_worker;
