/*
 * private.readable_calendar_account_ids.sql — Calendar accounts whose per-account rows (the sync
 * log) SELECT policies may show: the caller's own in the active organization; every account of
 * it for its owners and admins; every account for a super admin; none without identity.
 *
 * The same rows as "own account, or reads_whole_organization()", as one array: a policy that
 * compares calendar_account_id = any (...) lets the planner probe the (organization_id,
 * calendar_account_id, …) index for a member instead of reading the whole organization's rows
 * and filtering them.
 *
 * PL/pgSQL rather than SQL: its plan is cached per connection, where a SQL function with
 * SET search_path is planned anew on every call (once per statement in every policy).
 */
set local role crmsync_owner;

create or replace function private.readable_calendar_account_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select case
             when exists (select 1 from private.super_admins sa where sa.user_id = auth.uid())
               then (select coalesce(array_agg(ca.id), '{}') from public.calendar_accounts ca)
             else coalesce((select array_agg(ca.id)
                              from public.user_organizations uo
                              join public.calendar_accounts ca
                                on ca.organization_id = uo.organization_id
                               and (ca.user_id = uo.user_id or uo.role in ('owner', 'admin'))
                             where uo.organization_id = nullif(current_setting('app.org_id', true), '')::uuid
                               and uo.user_id = auth.uid()), '{}')
           end
  );
end
$$;
comment on function private.readable_calendar_account_ids() is
  'Calendar accounts whose per-account rows SELECT policies may show: own in the active organization, all of it for owners/admins, all for a super admin, none without identity.';
revoke execute on function private.readable_calendar_account_ids() from public;
grant execute on function private.readable_calendar_account_ids() to authenticated, crmsync_worker;
