/*
 * private.my_email_account_ids.sql — Ids of auth.uid()'s email accounts in the active
 * organization (empty without identity).
 *
 * PL/pgSQL rather than SQL: its plan is cached per connection, where a SQL function with
 * SET search_path is planned anew on every call (once per statement in every policy).
 */
set local role crmsync_owner;

create or replace function private.my_email_account_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(ea.id), '{}')
      from public.user_organizations uo
      join public.email_accounts ea on ea.organization_id = uo.organization_id and ea.user_id = uo.user_id
     where uo.organization_id = nullif(current_setting('app.org_id', true), '')::uuid
       and uo.user_id = auth.uid()
  );
end
$$;
comment on function private.my_email_account_ids() is
  'Ids of auth.uid()''s email accounts in the active organization (empty without identity).';
revoke execute on function private.my_email_account_ids() from public;
grant execute on function private.my_email_account_ids() to authenticated, crmsync_worker;
