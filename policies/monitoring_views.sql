/*
 * policies/monitoring_views.sql — who may query the monitoring views.
 *
 * The views are security_invoker, so the policies of the underlying tables decide which rows
 * each caller sees; these grants only open the door.
 */
set local role crmsync_owner;

revoke all on table public.calendar_account_health, public.recent_sync_errors, public.organization_sync_volume,
                    public.email_account_health, public.recent_email_sync_errors, public.organization_mail_volume
  from public, authenticated, crmsync_worker;
grant select on table public.calendar_account_health, public.recent_sync_errors, public.organization_sync_volume,
                      public.email_account_health, public.recent_email_sync_errors, public.organization_mail_volume
  to authenticated, crmsync_worker;
