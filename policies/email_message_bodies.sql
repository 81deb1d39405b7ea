/*
 * policies/email_message_bodies.sql — snippet and bodies of each email message.
 *
 * A member reads the rows of their own email accounts in the active organization and of the
 * mailboxes other members share at level full or above (private.visible_email_account_ids); no
 * client role writes them. The worker reads and writes those of the account it syncs (the
 * imports). Org owners/admins and super admins get no extra reach.
 */
set local role crmsync_owner;

revoke all on table public.email_message_bodies from public, authenticated, crmsync_worker;
grant select on table public.email_message_bodies to authenticated;
grant select, insert, update, delete on table public.email_message_bodies to crmsync_worker;

drop policy if exists email_message_bodies_authenticated_select on public.email_message_bodies;
create policy email_message_bodies_authenticated_select on public.email_message_bodies
  for select to authenticated
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.visible_email_account_ids('full'))::uuid[]));

drop policy if exists email_message_bodies_crmsync_worker_all on public.email_message_bodies;
create policy email_message_bodies_crmsync_worker_all on public.email_message_bodies
  for all to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.my_email_account_ids())::uuid[]))
  with check (organization_id = (select private.current_org_id())
              and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists email_message_bodies_crmsync_owner_all on public.email_message_bodies;
create policy email_message_bodies_crmsync_owner_all on public.email_message_bodies
  for all to crmsync_owner
  using (true) with check (true);
