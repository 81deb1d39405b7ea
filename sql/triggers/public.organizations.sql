/*
 * public.organizations.sql — the triggers on public.organizations.
 */
set local role crmsync_owner;

create or replace trigger organizations_set_updated_at
  before update on public.organizations
  for each row execute function private.set_updated_at();
create or replace trigger organizations_forbid_organization_change
  before update on public.organizations
  for each row execute function private.forbid_organization_change('id');
