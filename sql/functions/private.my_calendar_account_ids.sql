/*
 * private.my_calendar_account_ids.sql — Ids of auth.uid()'s calendar accounts in the active
 * organization (empty without identity).
 */
set local role crmsync_owner;

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
revoke execute on function private.my_calendar_account_ids() from public;
grant execute on function private.my_calendar_account_ids() to authenticated, crmsync_worker;
