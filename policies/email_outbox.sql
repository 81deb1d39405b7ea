/*
 * policies/email_outbox.sql — mail queued in the CRM and its sending state.
 *
 * A member reads the outbox of their own email accounts in the active organization (super
 * admins: read all); the worker reads that of the account it syncs. Nobody writes rows
 * directly: public.queue_email, public.claim_email_outbox and public.finish_email_send (security
 * definer) are the only writers. Owners/admins get no extra reach.
 */
set local role crmsync_owner;

revoke all on table public.email_outbox from public, authenticated, crmsync_worker;
grant select on table public.email_outbox to authenticated, crmsync_worker;

drop policy if exists email_outbox_authenticated_select on public.email_outbox;
create policy email_outbox_authenticated_select on public.email_outbox
  for select to authenticated
  using (organization_id = any ((select private.readable_org_ids())::uuid[])
         and (email_account_id = any ((select private.my_email_account_ids())::uuid[])
              or (select private.is_super_admin())));

drop policy if exists email_outbox_crmsync_worker_select on public.email_outbox;
create policy email_outbox_crmsync_worker_select on public.email_outbox
  for select to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists email_outbox_crmsync_owner_all on public.email_outbox;
create policy email_outbox_crmsync_owner_all on public.email_outbox
  for all to crmsync_owner
  using (true) with check (true);
