/*
 * public.accept_calendar_push_notification.sql — A verified notification on a live channel of
 * the caller's account (owner's worker session): counted on the channel; with p_mark_due the
 * account becomes due and crmsync_sync_requested is NOTIFYed unless a request is already
 * pending. Returns requested | coalesced | counted.
 */
set local role crmsync_owner;

create or replace function public.accept_calendar_push_notification(p_channel_id uuid, p_mark_due boolean)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_org     uuid := private.current_org_id();
  v_account uuid;
  v_due     boolean;
begin
  update public.calendar_push_channels c
     set notifications        = c.notifications + 1,
         last_notification_at = now()
   where c.organization_id = v_org and c.id = p_channel_id
     and c.calendar_account_id = any (private.my_calendar_account_ids())
     and c.status in ('active', 'replaced', 'stopping')
  returning c.calendar_account_id into v_account;
  if not found then
    raise exception 'channel not found' using errcode = '42501';
  end if;
  if not coalesce(p_mark_due, false) then
    return 'counted';
  end if;
  -- Coalesce: a pending request already woke a worker; this one rides along. The same now()
  -- in webhook_requested_at marks the request as a webhook's (the run is logged `webhook`).
  update public.calendar_accounts a
     set sync_requested_at    = now(),
         webhook_requested_at = now(),
         next_sync_at         = now()
   where a.organization_id = v_org and a.id = v_account and a.user_id = auth.uid()
     and a.sync_enabled and a.connection_status in ('connected', 'error')
     and a.sync_requested_at is null
  returning true into v_due;
  if coalesce(v_due, false) then
    perform pg_catalog.pg_notify('crmsync_sync_requested', v_account::text);
    return 'requested';
  end if;
  return 'coalesced';
end
$$;
comment on function public.accept_calendar_push_notification(uuid, boolean) is
  'A verified notification on a live channel of the caller''s account (owner''s worker session): counted on the channel; with p_mark_due the account becomes due and crmsync_sync_requested is NOTIFYed unless a request is already pending. Returns requested | coalesced | counted.';
revoke execute on function public.accept_calendar_push_notification(uuid, boolean) from public;
grant execute on function public.accept_calendar_push_notification(uuid, boolean) to crmsync_worker;
