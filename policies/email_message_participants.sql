/*
 * policies/email_message_participants.sql — every address of every email message (written by the trigger private.sync_email_participants).
 *
 * A member reads the rows of their own email accounts in the active organization and of the
 * mailboxes other members share at level metadata or above (private.visible_email_account_ids).
 * Nobody but the trigger writes them; the worker reads those of the account it syncs. Org owners/admins and super admins get no extra reach.
 */
set local role crmsync_owner;

revoke all on table public.email_message_participants from public, authenticated, crmsync_worker;
grant select on table public.email_message_participants to authenticated;
grant select on table public.email_message_participants to crmsync_worker;

drop policy if exists email_message_participants_authenticated_select on public.email_message_participants;
create policy email_message_participants_authenticated_select on public.email_message_participants
  for select to authenticated
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.visible_email_account_ids('metadata'))::uuid[]));

drop policy if exists email_message_participants_crmsync_worker_select on public.email_message_participants;
create policy email_message_participants_crmsync_worker_select on public.email_message_participants
  for select to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and email_account_id = any ((select private.my_email_account_ids())::uuid[]));

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists email_message_participants_crmsync_owner_all on public.email_message_participants;
create policy email_message_participants_crmsync_owner_all on public.email_message_participants
  for all to crmsync_owner
  using (true) with check (true);
