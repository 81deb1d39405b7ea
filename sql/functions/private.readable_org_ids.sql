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
  -- one statement, no nested helper call: every policy of a query pays for this once
  return (
    select case
             when exists (select 1 from private.super_admins sa where sa.user_id = auth.uid())
               then (select coalesce(array_agg(o.id), '{}') from public.organizations o)
             else array(select uo.organization_id
                          from public.user_organizations uo
                         where uo.organization_id = nullif(current_setting('app.org_id', true), '')::uuid
                           and uo.user_id = auth.uid())
           end
  );
end
$$;
comment on function private.readable_org_ids() is
  'Organizations whose rows SELECT policies may show: {current_org_id()} (empty without identity), every organization for a super admin. Used as organization_id = any (...) so the organization_id index stays usable.';
revoke execute on function private.readable_org_ids() from public;
grant execute on function private.readable_org_ids() to authenticated, crmsync_worker;
