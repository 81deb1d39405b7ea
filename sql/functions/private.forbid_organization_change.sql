/*
 * private.forbid_organization_change.sql — trigger functions shared by every tenant table.
 *
 * One function keeps updated_at current; one refuses any change of a row's tenant
 * (organization_id, or organizations.id) with SQLSTATE 42501, whoever runs the UPDATE — the
 * second line of defence behind the policies' WITH CHECK.
 */
set local role crmsync_owner;

create or replace function private.forbid_organization_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- tg_argv[0] = 'id' for public.organizations (its id is the tenant), else organization_id.
  if tg_nargs > 0 and tg_argv[0] = 'id' then
    if new.id is distinct from old.id then
      raise exception 'the id of an organization cannot be changed (table %.%)', tg_table_schema, tg_table_name
        using errcode = '42501';
    end if;
  elsif new.organization_id is distinct from old.organization_id then
    raise exception 'organization_id cannot be changed: a row never moves to another organization (table %.%)',
      tg_table_schema, tg_table_name
      using errcode = '42501';
  end if;
  return new;
end
$$;
comment on function private.forbid_organization_change() is
  'BEFORE UPDATE trigger: refuses (SQLSTATE 42501) any change of organization_id (argument ''id'': of organizations.id).';
revoke execute on function private.forbid_organization_change() from public;
