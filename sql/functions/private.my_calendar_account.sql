/*
 * private.my_calendar_account.sql — The caller's own calendar account in the active organization
 * (42501 'account not found' otherwise, whether or not it exists). Holds ciphertext columns: for
 * security definer functions only.
 */
set local role crmsync_owner;

-- helpers ------------------------------------------------------------------------------------

create or replace function private.my_calendar_account(p_account_id uuid)
returns public.calendar_accounts
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_account public.calendar_accounts;
begin
  select a.* into v_account
    from public.calendar_accounts a
   where a.organization_id = private.current_org_id() and a.id = p_account_id and a.user_id = auth.uid();
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  return v_account;
end
$$;
comment on function private.my_calendar_account(uuid) is
  'The caller''s own calendar account in the active organization (42501 ''account not found'' otherwise, whether or not it exists). Holds ciphertext columns: for security definer functions only.';
revoke execute on function private.my_calendar_account(uuid) from public;
