/*
 * policies/email_accounts.sql — a user's connected mailboxes.
 *
 * Same reach as calendar_accounts: own accounts for members (S/I/U/D), the organization's for
 * owners/admins (read), all for super admins (read), own account for the worker (S/U).
 * Column grants keep password_encrypted, access_token_encrypted and refresh_token_encrypted
 * away from every client role: they go through public.store_email_account_secrets() and
 * public.email_account_secrets(); sharing_level is changed by the owner alone (the update
 * policy), an org admin cannot widen it; push_secret_hash is written by the worker and read only by
 * public.email_push_subscription_lookup(). The lease columns are written only by the scheduling
 * functions (claim_email_accounts, renew/release_email_lease, request_email_sync).
 */
set local role crmsync_owner;

revoke all on table public.email_accounts from public, authenticated, crmsync_worker;

grant select (id, organization_id, user_id, provider, email, display_name,
              imap_host, imap_port, imap_username, imap_use_tls,
              smtp_host, smtp_port, smtp_username, smtp_use_starttls,
              token_key_id, token_expires_at, connection_status, sync_enabled, last_sync_at,
              last_sync_status, sync_cursor, consecutive_failures, next_sync_at, created_at, updated_at,
              lease_owner, lease_expires_at, sync_requested_at, last_error, sync_folders, push_expires_at,
              push_subscription_id, sharing_level)
  on table public.email_accounts to authenticated, crmsync_worker;
grant insert (id, organization_id, user_id, provider, email, display_name,
              imap_host, imap_port, imap_username, imap_use_tls,
              smtp_host, smtp_port, smtp_username, smtp_use_starttls, sync_enabled)
  on table public.email_accounts to authenticated;
grant update (email, display_name, imap_host, imap_port, imap_username, imap_use_tls,
              smtp_host, smtp_port, smtp_username, smtp_use_starttls,
              connection_status, sync_enabled, next_sync_at, sync_folders, sharing_level)
  on table public.email_accounts to authenticated;
grant update (connection_status, sync_enabled, last_sync_at, last_sync_status, sync_cursor,
              consecutive_failures, next_sync_at, last_error, push_expires_at, push_subscription_id, push_secret_hash)
  on table public.email_accounts to crmsync_worker;
grant delete on table public.email_accounts to authenticated;

drop policy if exists email_accounts_authenticated_select on public.email_accounts;
create policy email_accounts_authenticated_select on public.email_accounts
  for select to authenticated
  using (organization_id = any ((select private.readable_org_ids())::uuid[])
         and (user_id = (select auth.uid()) or (select private.reads_whole_organization())));

drop policy if exists email_accounts_authenticated_insert on public.email_accounts;
create policy email_accounts_authenticated_insert on public.email_accounts
  for insert to authenticated
  with check (organization_id = (select private.current_org_id()) and user_id = (select auth.uid()));

drop policy if exists email_accounts_authenticated_update on public.email_accounts;
create policy email_accounts_authenticated_update on public.email_accounts
  for update to authenticated
  using (organization_id = (select private.current_org_id()) and user_id = (select auth.uid()))
  with check (organization_id = (select private.current_org_id()) and user_id = (select auth.uid()));

drop policy if exists email_accounts_authenticated_delete on public.email_accounts;
create policy email_accounts_authenticated_delete on public.email_accounts
  for delete to authenticated
  using (organization_id = (select private.current_org_id()) and user_id = (select auth.uid()));

drop policy if exists email_accounts_crmsync_worker_select on public.email_accounts;
create policy email_accounts_crmsync_worker_select on public.email_accounts
  for select to crmsync_worker
  using (organization_id = (select private.current_org_id()) and user_id = (select auth.uid()));

drop policy if exists email_accounts_crmsync_worker_update on public.email_accounts;
create policy email_accounts_crmsync_worker_update on public.email_accounts
  for update to crmsync_worker
  using (organization_id = (select private.current_org_id()) and user_id = (select auth.uid()))
  with check (organization_id = (select private.current_org_id()) and user_id = (select auth.uid()));

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists email_accounts_crmsync_owner_all on public.email_accounts;
create policy email_accounts_crmsync_owner_all on public.email_accounts
  for all to crmsync_owner
  using (true) with check (true);
