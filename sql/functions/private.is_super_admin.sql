/*
 * private.is_super_admin.sql — True when auth.uid() is listed in private.super_admins (read-only
 * reach across organizations).
 *
 * PL/pgSQL rather than SQL: its plan is cached per connection, where a SQL function with
 * SET search_path is planned anew on every call (once per statement in every policy).
 */
set local role crmsync_owner;

create or replace function private.is_super_admin()
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select exists (select 1 from private.super_admins sa where sa.user_id = auth.uid())
  );
end
$$;
comment on function private.is_super_admin() is
  'True when auth.uid() is listed in private.super_admins (read-only reach across organizations).';
revoke execute on function private.is_super_admin() from public;
grant execute on function private.is_super_admin() to authenticated, crmsync_worker;
