/*
 * private.readable_org_ids.sql — Organizations whose rows SELECT policies may show:
 * {current_org_id()} (empty without identity), every organization for a super admin. Used as
 * organization_id = any (...) so the organization_id index stays usable.
 *
 * PL/pgSQL rather than SQL: its plan is cached per connection, where a SQL function with
 * SET search_path is planned anew on every call (once per statement in every policy).
 */
set local role crmsync_owner;

create or replace function private.readable_org_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select case
             when private.is_super_admin() then (select coalesce(array_agg(o.id), '{}') from public.organizations o)
             else coalesce((select array[private.current_org_id()] where private.current_org_id() is not null), '{}')
           end
  );
end
$$;
comment on function private.readable_org_ids() is
  'Organizations whose rows SELECT policies may show: {current_org_id()} (empty without identity), every organization for a super admin. Used as organization_id = any (...) so the organization_id index stays usable.';
revoke execute on function private.readable_org_ids() from public;
grant execute on function private.readable_org_ids() to authenticated, crmsync_worker;
