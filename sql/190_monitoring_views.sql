/*
 * 190_monitoring_views.sql — plain views a DBA or the app can query from any console.
 *
 * security_invoker = true: the caller's policies and grants apply (a member sees their own
 * accounts, an admin their organization's). No view exposes a ciphertext column.
 */
set local role crmsync_owner;

create or replace view public.calendar_account_health
with (security_invoker = true) as
select a.id,
       a.organization_id,
       a.user_id,
       a.provider,
       a.email,
       a.connection_status,
       a.sync_enabled,
       a.last_sync_at,
       s.last_success_at,
       a.consecutive_failures,
       (a.connection_status = 'needs_reauth') as reauth_needed,
       a.token_expires_at,
       coalesce(a.token_expires_at <= now(), false) as token_expired
  from public.calendar_accounts a
  left join lateral (
         select max(l.completed_at) as last_success_at
           from public.calendar_sync_log l
          where l.organization_id = a.organization_id
            and l.calendar_account_id = a.id
            and l.status = 'success'
            and l.completed_at is not null
       ) s on true;
comment on view public.calendar_account_health is
  'Per calendar account: status, last sync and last success, failures, re-auth and token expiry flags (no secrets).';

create or replace view public.recent_sync_errors
with (security_invoker = true) as
select l.id,
       l.organization_id,
       l.calendar_account_id,
       a.email,
       a.provider,
       l.sync_type,
       l.sync_direction,
       l.status,
       l.errors,
       l.error_details,
       l.started_at,
       l.completed_at
  from public.calendar_sync_log l
  left join public.calendar_accounts a
         on a.organization_id = l.organization_id and a.id = l.calendar_account_id
 where l.started_at > now() - interval '7 days'
   and (l.status in ('failed', 'partial') or l.errors > 0)
 order by l.started_at desc;
comment on view public.recent_sync_errors is
  'Failed or partial sync runs, or runs with errors, of the last 7 days, newest first.';

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
