/*
 * policies/email_messages.sql — imported and sent mail.
 *
 * This table holds a message's metadata (participants, dates, thread, size); its subject and
 * bodies live in email_message_subjects and email_message_bodies, each with its own policy.
 * A member reads the messages of their own email accounts in the active organization and of
 * the accounts other members share at level metadata or above; marks (is_read, labels: the
 * only columns granted for UPDATE) and deletes only their own. The worker reads and writes
 * those of the account it syncs. Org owners/admins and super admins get no extra reach: mail
 * is seen only as its owner shares it. public.email_messages_visible (security_invoker) is the
 * readers' view of all tiers.
 */
set local role crmsync_owner;

revoke all on table public.email_messages from public, authenticated, crmsync_worker;
grant select, delete on table public.email_messages to authenticated;
grant update (is_read, labels) on table public.email_messages to authenticated;
revoke all on table public.email_messages_visible from public, authenticated, crmsync_worker;
grant select on table public.email_messages_visible to authenticated, crmsync_worker;
grant select, insert, update, delete on table public.email_messages to crmsync_worker;

drop policy if exists email_messages_authenticated_select on public.email_messages;
create policy email_messages_authenticated_select on public.email_messages
  for select to authenticated
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.visible_email_account_ids('metadata'))::uuid[]));

drop policy if exists email_messages_authenticated_update on public.email_messages;
create policy email_messages_authenticated_update on public.email_messages
  for update to authenticated
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.my_email_account_ids())::uuid[]))
  with check (organization_id = (select private.current_org_id())
              and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

drop policy if exists email_messages_authenticated_delete on public.email_messages;
create policy email_messages_authenticated_delete on public.email_messages
  for delete to authenticated
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

drop policy if exists email_messages_crmsync_worker_select on public.email_messages;
create policy email_messages_crmsync_worker_select on public.email_messages
  for select to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

drop policy if exists email_messages_crmsync_worker_insert on public.email_messages;
create policy email_messages_crmsync_worker_insert on public.email_messages
  for insert to crmsync_worker
  with check (organization_id = (select private.current_org_id())
              and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

drop policy if exists email_messages_crmsync_worker_update on public.email_messages;
create policy email_messages_crmsync_worker_update on public.email_messages
  for update to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.my_email_account_ids())::uuid[]))
  with check (organization_id = (select private.current_org_id())
              and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

drop policy if exists email_messages_crmsync_worker_delete on public.email_messages;
create policy email_messages_crmsync_worker_delete on public.email_messages
  for delete to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists email_messages_crmsync_owner_all on public.email_messages;
create policy email_messages_crmsync_owner_all on public.email_messages
  for all to crmsync_owner
  using (true) with check (true);
