/*
 * public.organization_mail_volume.sql — mail volume per organization and UTC day (the mail twin
 * of organization_sync_volume): sync runs and the messages they imported, changed and marked
 * deleted, errors, failed runs, and the outbox's messages sent and given up on that day.
 * security_invoker: each caller sees the days of the mailboxes their policies let them read.
 */
set local role crmsync_owner;

create or replace view public.organization_mail_volume
with (security_invoker = true) as
with runs as (
  select l.organization_id,
         (l.started_at at time zone 'UTC')::date as day,
         count(*)::bigint as runs,
         sum(l.messages_imported)::bigint as messages_imported,
         sum(l.messages_updated)::bigint as messages_updated,
         sum(l.messages_deleted)::bigint as messages_deleted,
         sum(l.errors)::bigint as errors,
         count(*) filter (where l.status = 'failed')::bigint as failed_runs
    from public.email_sync_log l
   group by l.organization_id, (l.started_at at time zone 'UTC')::date
),
sends as (
  select o.organization_id,
         (coalesce(o.sent_at, o.updated_at) at time zone 'UTC')::date as day,
         count(*) filter (where o.status = 'sent')::bigint as messages_sent,
         count(*) filter (where o.status = 'failed')::bigint as sends_failed
    from public.email_outbox o
   where o.status in ('sent', 'failed')
   group by o.organization_id, (coalesce(o.sent_at, o.updated_at) at time zone 'UTC')::date
)
select coalesce(r.organization_id, s.organization_id) as organization_id,
       coalesce(r.day, s.day) as day,
       coalesce(r.runs, 0) as runs,
       coalesce(r.messages_imported, 0) as messages_imported,
       coalesce(r.messages_updated, 0) as messages_updated,
       coalesce(r.messages_deleted, 0) as messages_deleted,
       coalesce(r.errors, 0) as errors,
       coalesce(r.failed_runs, 0) as failed_runs,
       coalesce(s.messages_sent, 0) as messages_sent,
       coalesce(s.sends_failed, 0) as sends_failed
  from runs r
  full join sends s on s.organization_id = r.organization_id and s.day = r.day;
comment on view public.organization_mail_volume is
  'Mail volume per organization and UTC day: sync runs, messages imported/updated/deleted, errors, failed runs, messages sent and sends failed.';
