/*
 * public.calendar_push_channel_health.sql
 */
set local role crmsync_owner;

-- monitoring ---------------------------------------------------------------------------------

create or replace view public.calendar_push_channel_health
with (security_invoker = true) as
select c.id,
       c.organization_id,
       c.calendar_account_id,
       a.user_id,
       a.email,
       c.provider,
       c.calendar_id,
       c.status,
       c.expires_at,
       (c.status = 'active' and c.expires_at <= now()) as expired,
       c.created_at,
       c.renewed_at,
       c.last_notification_at,
       c.notifications,
       c.failure_count,
       c.last_error
  from public.calendar_push_channels c
  join public.calendar_accounts a on a.organization_id = c.organization_id and a.id = c.calendar_account_id;
comment on view public.calendar_push_channel_health is
  'Push channels and subscriptions per calendar account: status, expiry, renewals, notifications, failures (no secrets, no external ids).';
