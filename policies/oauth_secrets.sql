/*
 * policies/oauth_secrets.sql — deliberately nothing.
 *
 * OAuth client secrets are reached only through public.set_oauth_client() (owner/admin CLI)
 * and public.oauth_client_credentials() (worker). RLS is enabled and forced with no policy, and
 * every privilege is revoked, so even a mistaken future grant would still return no rows.
 */
set local role crmsync_owner;

revoke all on table public.oauth_secrets from public, authenticated, crmsync_worker;

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists oauth_secrets_crmsync_owner_all on public.oauth_secrets;
create policy oauth_secrets_crmsync_owner_all on public.oauth_secrets
  for all to crmsync_owner
  using (true) with check (true);
