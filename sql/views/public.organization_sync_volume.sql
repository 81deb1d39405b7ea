/*
 * public.organization_sync_volume.sql
 */
set local role crmsync_owner;

create or replace view public.organization_sync_volume
with (security_invoker = true) as
select l.organization_id,
       (l.started_at at time zone 'UTC')::date as day,
       count(*)::bigint as runs,
       sum(l.events_imported)::bigint as events_imported,
       sum(l.events_exported)::bigint as events_exported,
       sum(l.events_updated)::bigint as events_updated,
       sum(l.events_deleted)::bigint as events_deleted,
       sum(l.errors)::bigint as errors,
       count(*) filter (where l.status = 'failed')::bigint as failed_runs
  from public.calendar_sync_log l
 group by l.organization_id, (l.started_at at time zone 'UTC')::date;
comment on view public.organization_sync_volume is
  'Calendar sync volume per organization and UTC day: runs, event counts, errors, failed runs.';
