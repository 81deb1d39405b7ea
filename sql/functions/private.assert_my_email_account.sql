/*
 * private.assert_my_email_account.sql — raises 42501 'account not found' unless p_account is the
 * caller's own email account in the active organization (whether or not it exists). SECURITY
 * INVOKER: the caller's policies apply as well. The check the worker's read functions begin with.
 */
set local role crmsync_owner;

create or replace function private.assert_my_email_account(p_account uuid)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  perform 1
    from public.email_accounts a
   where a.organization_id = private.current_org_id() and a.id = p_account and a.user_id = auth.uid();
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
end
$$;
comment on function private.assert_my_email_account(uuid) is
  'Raises 42501 unless p_account is the caller''s own email account in the active organization.';
revoke execute on function private.assert_my_email_account(uuid) from public;
grant execute on function private.assert_my_email_account(uuid) to authenticated, crmsync_worker;
