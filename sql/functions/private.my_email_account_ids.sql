/*
 * private.my_email_account_ids.sql — Ids of auth.uid()'s email accounts in the active
 * organization (empty without identity).
 */
set local role crmsync_owner;

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
revoke execute on function private.my_email_account_ids() from public;
grant execute on function private.my_email_account_ids() to authenticated, crmsync_worker;
