/*
 * private.visible_email_account_ids.sql — Ids of the email accounts of the active organization
 * whose mail the caller may read at p_level ('metadata', 'subject' or 'full'): their own
 * accounts, and those whose owner shares them at that level or above. Empty without identity
 * or membership. The policies of the mail tables filter on it, evaluated once per statement.
 *
 * PL/pgSQL rather than SQL: its plan is cached per connection, where a SQL function with
 * SET search_path is planned anew on every call (once per statement in every policy).
 */
set local role crmsync_owner;

create or replace function private.visible_email_account_ids(p_level text)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(a.id), '{}')
      from public.user_organizations uo
      join public.email_accounts a on a.organization_id = uo.organization_id
     where uo.organization_id = nullif(current_setting('app.org_id', true), '')::uuid
       and uo.user_id = auth.uid()
       and (a.user_id = uo.user_id
            or array_position('{metadata,subject,full}'::text[], a.sharing_level)
               >= array_position('{metadata,subject,full}'::text[], p_level))
  );
end
$$;
comment on function private.visible_email_account_ids(text) is
  'Ids of the active organization''s email accounts readable by auth.uid() at p_level (own accounts, and accounts shared at that level or above).';
revoke execute on function private.visible_email_account_ids(text) from public;
grant execute on function private.visible_email_account_ids(text) to authenticated;
