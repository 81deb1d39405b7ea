/*
 * private.current_org_role.sql — Role (owner|admin|member) of auth.uid() in the active
 * organization, else null.
 */
set local role crmsync_owner;

create or replace function private.current_org_role()
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select uo.role
    from public.user_organizations uo
   where uo.organization_id = nullif(current_setting('app.org_id', true), '')::uuid
     and uo.user_id = auth.uid()
$$;
comment on function private.current_org_role() is
  'Role (owner|admin|member) of auth.uid() in the active organization, else null.';
revoke execute on function private.current_org_role() from public;
grant execute on function private.current_org_role() to authenticated, crmsync_worker;
