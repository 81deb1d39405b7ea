/*
 * public.user_organizations.sql — the triggers on public.user_organizations.
 */
set local role crmsync_owner;

create or replace trigger user_organizations_set_updated_at
  before update on public.user_organizations
  for each row execute function private.set_updated_at();
create or replace trigger user_organizations_forbid_organization_change
  before update on public.user_organizations
  for each row execute function private.forbid_organization_change();
