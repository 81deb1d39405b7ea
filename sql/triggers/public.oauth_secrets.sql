/*
 * public.oauth_secrets.sql — the triggers on public.oauth_secrets.
 */
set local role crmsync_owner;

create or replace trigger oauth_secrets_set_updated_at
  before update on public.oauth_secrets
  for each row execute function private.set_updated_at();
create or replace trigger oauth_secrets_forbid_organization_change
  before update on public.oauth_secrets
  for each row execute function private.forbid_organization_change();
