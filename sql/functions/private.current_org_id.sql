/*
 * private.current_org_id.sql — app.org_id when auth.uid() is a member of that organization, else
 * null.
 */
set local role crmsync_owner;

create or replace function private.current_org_id()
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select uo.organization_id
    from public.user_organizations uo
   where uo.organization_id = nullif(current_setting('app.org_id', true), '')::uuid
     and uo.user_id = auth.uid()
$$;
comment on function private.current_org_id() is
  'app.org_id when auth.uid() is a member of that organization, else null.';
revoke execute on function private.current_org_id() from public;
grant execute on function private.current_org_id() to authenticated, crmsync_worker;
