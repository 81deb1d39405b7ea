/*
 * 300_appointments_change_xid.sql — a commit-ordered change marker on appointments, so that the
 * export's "what changed since the last scan" is proportional to the changes (issue 4, bench).
 *
 * updated_at is the writing transaction's START time: a transaction that started before an
 * export scan and committed after it carries an older updated_at than the scan, which is why
 * calendar_export_batch looks back 10 minutes before its watermark, and so revisits every
 * appointment written in the last 10 minutes (a whole first import) on every run.
 *
 * change_xid is the id of the transaction that last wrote the row (pg_current_xact_id(),
 * set by the database whatever a client sends). An export scan remembers the snapshot it ran
 * under; the next scan needs exactly the rows whose change_xid that snapshot did not see:
 * change_xid >= the snapshot's xmin (an index range) and not pg_visible_in_snapshot (a filter
 * on that range). No clock, no overlap, nothing missed however late a transaction commits.
 *
 * Rows written before this file have change_xid null (no table rewrite on a big table): they
 * count as old; the next write of such a row stamps it.
 */
set local role crmsync_owner;

alter table public.appointments add column if not exists change_xid xid8;
alter table public.appointments alter column change_xid set default pg_catalog.pg_current_xact_id();
comment on column public.appointments.change_xid is
  'Transaction that last wrote the row (set by the database): export scans pick rows their last snapshot did not see.';

create index if not exists appointments_org_change_xid_idx on public.appointments (organization_id, change_xid);

create or replace function private.stamp_change_xid()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.change_xid := pg_catalog.pg_current_xact_id();
  return new;
end
$$;
comment on function private.stamp_change_xid() is
  'BEFORE INSERT trigger on appointments (only when a client supplied another value): change_xid is the writing transaction.';
revoke execute on function private.stamp_change_xid() from public;

-- The column default already holds the right value; the trigger (a PL/pgSQL call) fires only
-- for a client that sends another value.
create or replace trigger appointments_stamp_change_xid
  before insert on public.appointments
  for each row when (new.change_xid is distinct from pg_catalog.pg_current_xact_id())
  execute function private.stamp_change_xid();

-- Every UPDATE moves change_xid (as every UPDATE moves updated_at), in the trigger that
-- already runs for each updated row.
create or replace function private.bump_crm_version()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if (new.owner_id, new.contact_id, new.title, new.description, new.location, new.start_time,
      new.end_time, new.all_day, new.time_zone, new.deleted_at)
     is distinct from
     (old.owner_id, old.contact_id, old.title, old.description, old.location, old.start_time,
      old.end_time, old.all_day, old.time_zone, old.deleted_at) then
    new.crm_version := old.crm_version + 1;
  else
    new.crm_version := old.crm_version;
  end if;
  new.change_xid := pg_catalog.pg_current_xact_id();
  return new;
end
$$;
comment on function private.bump_crm_version() is
  'BEFORE UPDATE trigger on appointments: crm_version + 1 when a user-visible column changed, else unchanged; change_xid = this transaction.';
revoke execute on function private.bump_crm_version() from public;

-- calendar_accounts: the snapshot of the last complete export scan. No grant: only the
-- security definer functions below read and write it.
alter table public.calendar_accounts add column if not exists export_snapshot pg_snapshot;
alter table public.calendar_accounts add column if not exists export_snapshot_at timestamptz;
comment on column public.calendar_accounts.export_snapshot is
  'Snapshot the last complete export scan ran under; valid while export_snapshot_at = export_watermark (the run that staged it succeeded).';
comment on column public.calendar_accounts.export_snapshot_at is
  'export_watermark_staged of the scan that took export_snapshot.';

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
