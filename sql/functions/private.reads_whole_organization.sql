/*
 * private.reads_whole_organization.sql — True when auth.uid() may read every user's rows of the
 * active organization: an owner or admin of it, or a super admin (read-only reach across
 * organizations). The same answer as is_org_admin() or is_super_admin(), in one call: the
 * policies that allow either pay for one helper, not two, on every statement.
 *
 * PL/pgSQL rather than SQL: its plan is cached per connection, where a SQL function with
 * SET search_path is planned anew on every call (once per statement in every policy).
 */
set local role crmsync_owner;

create or replace function private.reads_whole_organization()
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select exists (select 1 from private.super_admins sa where sa.user_id = auth.uid())
        or exists (select 1
                     from public.user_organizations uo
                    where uo.organization_id = nullif(current_setting('app.org_id', true), '')::uuid
                      and uo.user_id = auth.uid()
                      and uo.role in ('owner', 'admin'))
  );
end
$$;
comment on function private.reads_whole_organization() is
  'True when auth.uid() is owner or admin of the active organization, or a super admin: may read every user''s rows there.';
revoke execute on function private.reads_whole_organization() from public;
grant execute on function private.reads_whole_organization() to authenticated, crmsync_worker;
