/*
 * policies/calendar_accounts.sql — a user's connected calendars.
 *
 * A member sees and changes only their own accounts in the active organization; owners/admins
 * also read the organization's accounts; super admins read all. The worker reads and updates
 * the account it syncs (its owner's identity). Grants are column lists so the ciphertext
 * columns (access_token_encrypted, refresh_token_encrypted) are never readable or writable by
 * a client role: tokens go through public.store_calendar_account_tokens() and
 * public.calendar_account_tokens(). token_key_id/token_expires_at are written by those too.
 */
set local role crmsync_owner;

revoke all on table public.calendar_accounts from public, authenticated, crmsync_worker;

grant select (id, organization_id, user_id, provider, email, calendar_id, time_zone, sync_enabled,
              connection_status, last_sync_at, last_sync_status, sync_cursor, conflict_strategy,
              token_key_id, token_expires_at, consecutive_failures, next_sync_at, created_at, updated_at)
  on table public.calendar_accounts to authenticated, crmsync_worker;
grant insert (id, organization_id, user_id, provider, email, calendar_id, time_zone, sync_enabled,
              conflict_strategy)
  on table public.calendar_accounts to authenticated;
grant update (email, calendar_id, time_zone, sync_enabled, connection_status, conflict_strategy, next_sync_at)
  on table public.calendar_accounts to authenticated;
grant update (email, calendar_id, time_zone, sync_enabled, connection_status, last_sync_at, last_sync_status,
              sync_cursor, consecutive_failures, next_sync_at)
  on table public.calendar_accounts to crmsync_worker;
grant delete on table public.calendar_accounts to authenticated;

-- Sync engine state (sql/migrations/200): every role that reads accounts reads it (no secrets
-- among it; the API's status badges show lease_expires_at, sync_requested_at and last_error).
-- A person may set sync_requested_at (request_calendar_sync) on their own account;
-- the worker writes the run outcome (last_error, sync_requested_at) and the export watermark.
-- The lease columns are written only by the security definer scheduling functions.
grant select (lease_owner, lease_expires_at, sync_requested_at, last_error, export_watermark, export_full_scan_at,
              export_watermark_staged, export_full_scan_staged)
  on table public.calendar_accounts to authenticated, crmsync_worker;
grant update (sync_requested_at)
  on table public.calendar_accounts to authenticated;
grant update (sync_requested_at, last_error, export_watermark, export_full_scan_at, export_watermark_staged,
              export_full_scan_staged)
  on table public.calendar_accounts to crmsync_worker;

drop policy if exists calendar_accounts_authenticated_select on public.calendar_accounts;
create policy calendar_accounts_authenticated_select on public.calendar_accounts
  for select to authenticated
  using (organization_id = any ((select private.readable_org_ids())::uuid[])
         and (user_id = (select auth.uid()) or (select private.reads_whole_organization())));

drop policy if exists calendar_accounts_authenticated_insert on public.calendar_accounts;
create policy calendar_accounts_authenticated_insert on public.calendar_accounts
  for insert to authenticated
  with check (organization_id = (select private.current_org_id()) and user_id = (select auth.uid()));

drop policy if exists calendar_accounts_authenticated_update on public.calendar_accounts;
create policy calendar_accounts_authenticated_update on public.calendar_accounts
  for update to authenticated
  using (organization_id = (select private.current_org_id()) and user_id = (select auth.uid()))
  with check (organization_id = (select private.current_org_id()) and user_id = (select auth.uid()));

drop policy if exists calendar_accounts_authenticated_delete on public.calendar_accounts;
create policy calendar_accounts_authenticated_delete on public.calendar_accounts
  for delete to authenticated
  using (organization_id = (select private.current_org_id()) and user_id = (select auth.uid()));

drop policy if exists calendar_accounts_crmsync_worker_select on public.calendar_accounts;
create policy calendar_accounts_crmsync_worker_select on public.calendar_accounts
  for select to crmsync_worker
  using (organization_id = (select private.current_org_id()) and user_id = (select auth.uid()));

drop policy if exists calendar_accounts_crmsync_worker_update on public.calendar_accounts;
create policy calendar_accounts_crmsync_worker_update on public.calendar_accounts
  for update to crmsync_worker
  using (organization_id = (select private.current_org_id()) and user_id = (select auth.uid()))
  with check (organization_id = (select private.current_org_id()) and user_id = (select auth.uid()));

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists calendar_accounts_crmsync_owner_all on public.calendar_accounts;
create policy calendar_accounts_crmsync_owner_all on public.calendar_accounts
  for all to crmsync_owner
  using (true) with check (true);
