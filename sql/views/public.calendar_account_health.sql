/*
 * public.calendar_account_health.sql
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
