/*
 * policies/oauth_secrets.sql — deliberately nothing.
 *
 * OAuth client secrets are reached only through public.set_oauth_client() (owner/admin CLI)
 * and public.oauth_client_credentials() (worker). RLS is enabled and forced with no policy, and
 * every privilege is revoked, so even a mistaken future grant would still return no rows.
 */
revoke all on table public.oauth_secrets from public, authenticated, crmsync_worker;
