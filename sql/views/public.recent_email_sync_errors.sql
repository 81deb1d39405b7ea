/*
 * public.recent_email_sync_errors.sql — failed or partial mail sync runs, or runs with errors,
 * of the last 7 days, newest first (the mail twin of recent_sync_errors).
 */
set local role crmsync_owner;

create or replace view public.recent_email_sync_errors
with (security_invoker = true) as
select l.id,
       l.organization_id,
       l.email_account_id,
       a.email,
       a.provider,
       l.sync_type,
       l.status,
       l.errors,
       l.error_details,
       l.started_at,
       l.completed_at
  from public.email_sync_log l
  left join public.email_accounts a
         on a.organization_id = l.organization_id and a.id = l.email_account_id
 where l.started_at > now() - interval '7 days'
   and (l.status in ('failed', 'partial') or l.errors > 0)
 order by l.started_at desc;
comment on view public.recent_email_sync_errors is
  'Failed or partial mail sync runs, or runs with errors, of the last 7 days, newest first.';
