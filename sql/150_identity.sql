/*
 * 150_identity.sql — who is asking: the helpers every policy calls.
 *
 * The app sets, per transaction, request.jwt.claims (sub = user uuid) and app.org_id. The
 * active organization counts only when auth.uid() is a member of it; no or empty settings give
 * null, so no identity means no rows, never all rows. The helpers are security definer (owner,
 * BYPASSRLS) so reading memberships from inside a policy cannot recurse, stable so the planner
 * evaluates them once per statement when wrapped as (select private.fn()).
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

create or replace function private.is_super_admin()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (select 1 from private.super_admins sa where sa.user_id = auth.uid())
$$;
comment on function private.is_super_admin() is
  'True when auth.uid() is listed in private.super_admins (read-only reach across organizations).';

create or replace function private.my_calendar_account_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(ca.id), '{}')
    from public.calendar_accounts ca
   where ca.organization_id = private.current_org_id()
     and ca.user_id = auth.uid()
$$;
comment on function private.my_calendar_account_ids() is
  'Ids of auth.uid()''s calendar accounts in the active organization (empty without identity).';

create or replace function private.my_email_account_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(ea.id), '{}')
    from public.email_accounts ea
   where ea.organization_id = private.current_org_id()
     and ea.user_id = auth.uid()
$$;
comment on function private.my_email_account_ids() is
  'Ids of auth.uid()''s email accounts in the active organization (empty without identity).';

create or replace function private.readable_org_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select case
           when private.is_super_admin() then (select coalesce(array_agg(o.id), '{}') from public.organizations o)
           else coalesce((select array[private.current_org_id()] where private.current_org_id() is not null), '{}')
         end
$$;
comment on function private.readable_org_ids() is
  'Organizations whose rows SELECT policies may show: {current_org_id()} (empty without identity), every organization for a super admin. Used as organization_id = any (...) so the organization_id index stays usable.';

revoke execute on function private.current_org_id(), private.current_org_role(), private.is_org_admin(),
  private.is_super_admin(), private.readable_org_ids(), private.my_calendar_account_ids(),
  private.my_email_account_ids() from public;
grant execute on function private.current_org_id(), private.current_org_role(), private.is_org_admin(),
  private.is_super_admin(), private.readable_org_ids(), private.my_calendar_account_ids(),
  private.my_email_account_ids()
  to authenticated, crmsync_worker;
