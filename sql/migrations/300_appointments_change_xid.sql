/*
 * 300_appointments_change_xid.sql — a commit-ordered change marker on appointments, so that the
 * export's "what changed since the last scan" is proportional to the changes.
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

-- calendar_accounts: the snapshot of the last complete export scan. No grant: only the
-- security definer functions below read and write it.
alter table public.calendar_accounts add column if not exists export_snapshot pg_snapshot;
alter table public.calendar_accounts add column if not exists export_snapshot_at timestamptz;
comment on column public.calendar_accounts.export_snapshot is
  'Snapshot the last complete export scan ran under; valid while export_snapshot_at = export_watermark (the run that staged it succeeded).';
comment on column public.calendar_accounts.export_snapshot_at is
  'export_watermark_staged of the scan that took export_snapshot.';
