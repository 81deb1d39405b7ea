/*
 * policies/calendar_push_channels.sql — push channels (Google) and subscriptions (Graph) of
 * calendar accounts.
 *
 * A member reads the channels of their own calendar accounts; owners/admins read the active
 * organization's; super admins read all. The worker reads the channels of the account it
 * works for (its owner's identity). Nobody writes the table directly: channels are written
 * only through the security definer functions in sql/functions (no
 * INSERT/UPDATE/DELETE grant). token_hash is a digest, never the secret itself, and is still
 * kept from client roles: the webhook reads it through public.calendar_push_channel_lookup.
 */
set local role crmsync_owner;

revoke all on table public.calendar_push_channels from public, authenticated, crmsync_worker;
grant select (id, organization_id, calendar_account_id, provider, calendar_id, external_id, resource_id, expires_at,
              status, created_at, renewed_at, last_notification_at, notifications, failure_count, last_error,
              updated_at)
  on table public.calendar_push_channels to authenticated, crmsync_worker;

drop policy if exists calendar_push_channels_authenticated_select on public.calendar_push_channels;
create policy calendar_push_channels_authenticated_select on public.calendar_push_channels
  for select to authenticated
  using (organization_id = any ((select private.readable_org_ids())::uuid[])
         and (calendar_account_id = any ((select private.my_calendar_account_ids())::uuid[])
              or (select private.reads_whole_organization())));

drop policy if exists calendar_push_channels_crmsync_worker_select on public.calendar_push_channels;
create policy calendar_push_channels_crmsync_worker_select on public.calendar_push_channels
  for select to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and calendar_account_id = any ((select private.my_calendar_account_ids())::uuid[]));

-- monitoring (the view is security_invoker: the policies above decide its rows)
revoke all on table public.calendar_push_channel_health from public, authenticated, crmsync_worker;
grant select on table public.calendar_push_channel_health to authenticated, crmsync_worker;

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists calendar_push_channels_crmsync_owner_all on public.calendar_push_channels;
create policy calendar_push_channels_crmsync_owner_all on public.calendar_push_channels
  for all to crmsync_owner
  using (true) with check (true);
