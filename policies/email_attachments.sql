/*
 * policies/email_attachments.sql — attachment metadata.
 *
 * A member reads the attachments of their own email accounts in the active organization and
 * of mailboxes shared with them at level full; deletes only their own. The worker reads and writes those of the account it
 * syncs. Org owners/admins and super admins get no extra reach.
 */
set local role crmsync_owner;

revoke all on table public.email_attachments from public, authenticated, crmsync_worker;
grant select, delete on table public.email_attachments to authenticated;
grant select, insert, update, delete on table public.email_attachments to crmsync_worker;

drop policy if exists email_attachments_authenticated_select on public.email_attachments;
create policy email_attachments_authenticated_select on public.email_attachments
  for select to authenticated
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.visible_email_account_ids('full'))::uuid[]));

drop policy if exists email_attachments_authenticated_delete on public.email_attachments;
create policy email_attachments_authenticated_delete on public.email_attachments
  for delete to authenticated
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

drop policy if exists email_attachments_crmsync_worker_select on public.email_attachments;
create policy email_attachments_crmsync_worker_select on public.email_attachments
  for select to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

drop policy if exists email_attachments_crmsync_worker_insert on public.email_attachments;
create policy email_attachments_crmsync_worker_insert on public.email_attachments
  for insert to crmsync_worker
  with check (organization_id = (select private.current_org_id())
              and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

drop policy if exists email_attachments_crmsync_worker_update on public.email_attachments;
create policy email_attachments_crmsync_worker_update on public.email_attachments
  for update to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.my_email_account_ids())::uuid[]))
  with check (organization_id = (select private.current_org_id())
              and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

drop policy if exists email_attachments_crmsync_worker_delete on public.email_attachments;
create policy email_attachments_crmsync_worker_delete on public.email_attachments
  for delete to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists email_attachments_crmsync_owner_all on public.email_attachments;
create policy email_attachments_crmsync_owner_all on public.email_attachments
  for all to crmsync_owner
  using (true) with check (true);
