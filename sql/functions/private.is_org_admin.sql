/*
 * private.is_org_admin.sql — True when auth.uid() is owner or admin of the active organization.
 *
 * PL/pgSQL rather than SQL: its plan is cached per connection, where a SQL function with
 * SET search_path is planned anew on every call (once per statement in every policy).
 */
set local role crmsync_owner;

create or replace function private.is_org_admin()
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select exists (select 1
                     from public.user_organizations uo
                    where uo.organization_id = nullif(current_setting('app.org_id', true), '')::uuid
                      and uo.user_id = auth.uid()
                      and uo.role in ('owner', 'admin'))
  );
end
$$;
comment on function private.is_org_admin() is 'True when auth.uid() is owner or admin of the active organization.';
revoke execute on function private.is_org_admin() from public;
grant execute on function private.is_org_admin() to authenticated, crmsync_worker;
