/*
 * private.current_org_role.sql — Role (owner|admin|member) of auth.uid() in the active
 * organization, else null.
 *
 * PL/pgSQL rather than SQL: its plan is cached per connection, where a SQL function with
 * SET search_path is planned anew on every call (once per statement in every policy).
 */
set local role crmsync_owner;

create or replace function private.current_org_role()
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select uo.role
      from public.user_organizations uo
     where uo.organization_id = nullif(current_setting('app.org_id', true), '')::uuid
       and uo.user_id = auth.uid()
  );
end
$$;
comment on function private.current_org_role() is
  'Role (owner|admin|member) of auth.uid() in the active organization, else null.';
revoke execute on function private.current_org_role() from public;
grant execute on function private.current_org_role() to authenticated, crmsync_worker;
