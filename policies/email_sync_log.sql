/*
 * policies/email_sync_log.sql — mail sync runs.
 *
 * A member reads the runs of their own email accounts in the active organization (super
 * admins: read all); owners/admins get no extra reach (mail stays with its mailbox's owner).
 * The worker logs (S/I/U) runs of its account; nobody deletes history through the app.
 */
set local role crmsync_owner;

revoke all on table public.email_sync_log from public, authenticated, crmsync_worker;
grant select on table public.email_sync_log to authenticated;
grant select, insert, update on table public.email_sync_log to crmsync_worker;

drop policy if exists email_sync_log_authenticated_select on public.email_sync_log;
create policy email_sync_log_authenticated_select on public.email_sync_log
  for select to authenticated
  using (organization_id = any ((select private.readable_org_ids())::uuid[])
         and (email_account_id = any ((select private.my_email_account_ids())::uuid[])
              or (select private.is_super_admin())));

drop policy if exists email_sync_log_crmsync_worker_select on public.email_sync_log;
create policy email_sync_log_crmsync_worker_select on public.email_sync_log
  for select to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

drop policy if exists email_sync_log_crmsync_worker_insert on public.email_sync_log;
create policy email_sync_log_crmsync_worker_insert on public.email_sync_log
  for insert to crmsync_worker
  with check (organization_id = (select private.current_org_id())
              and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

drop policy if exists email_sync_log_crmsync_worker_update on public.email_sync_log;
create policy email_sync_log_crmsync_worker_update on public.email_sync_log
  for update to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.my_email_account_ids())::uuid[]))
  with check (organization_id = (select private.current_org_id())
              and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists email_sync_log_crmsync_owner_all on public.email_sync_log;
create policy email_sync_log_crmsync_owner_all on public.email_sync_log
  for all to crmsync_owner
  using (true) with check (true);
