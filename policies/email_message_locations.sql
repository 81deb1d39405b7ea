/*
 * policies/email_message_locations.sql — where each message sits on the server (folder, uid,
 * flags).
 *
 * A member reads the locations of their own email accounts' messages in the active
 * organization (super admins: read all). The worker reads and writes those of the account it
 * syncs. Owners/admins get no extra reach: mail stays with its mailbox's owner.
 */
set local role crmsync_owner;

revoke all on table public.email_message_locations from public, authenticated, crmsync_worker;
grant select on table public.email_message_locations to authenticated;
grant select, insert, update, delete on table public.email_message_locations to crmsync_worker;

drop policy if exists email_message_locations_authenticated_select on public.email_message_locations;
create policy email_message_locations_authenticated_select on public.email_message_locations
  for select to authenticated
  using (organization_id = any ((select private.readable_org_ids())::uuid[])
         and (email_account_id = any ((select private.my_email_account_ids())::uuid[])
              or (select private.is_super_admin())));

drop policy if exists email_message_locations_crmsync_worker_select on public.email_message_locations;
create policy email_message_locations_crmsync_worker_select on public.email_message_locations
  for select to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

drop policy if exists email_message_locations_crmsync_worker_insert on public.email_message_locations;
create policy email_message_locations_crmsync_worker_insert on public.email_message_locations
  for insert to crmsync_worker
  with check (organization_id = (select private.current_org_id())
              and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

drop policy if exists email_message_locations_crmsync_worker_update on public.email_message_locations;
create policy email_message_locations_crmsync_worker_update on public.email_message_locations
  for update to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.my_email_account_ids())::uuid[]))
  with check (organization_id = (select private.current_org_id())
              and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

drop policy if exists email_message_locations_crmsync_worker_delete on public.email_message_locations;
create policy email_message_locations_crmsync_worker_delete on public.email_message_locations
  for delete to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists email_message_locations_crmsync_owner_all on public.email_message_locations;
create policy email_message_locations_crmsync_owner_all on public.email_message_locations
  for all to crmsync_owner
  using (true) with check (true);
