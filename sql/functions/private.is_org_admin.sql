/*
 * private.is_org_admin.sql — True when auth.uid() is owner or admin of the active organization.
 */
set local role crmsync_owner;

create or replace function private.is_org_admin()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(private.current_org_role() in ('owner', 'admin'), false)
$$;
comment on function private.is_org_admin() is 'True when auth.uid() is owner or admin of the active organization.';
revoke execute on function private.is_org_admin() from public;
grant execute on function private.is_org_admin() to authenticated, crmsync_worker;
