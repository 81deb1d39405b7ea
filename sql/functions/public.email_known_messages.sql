/*
 * public.email_known_messages.sql — which of p_ids (provider message ids) the caller's account
 * already stores, so a Gmail or Graph run fetches the MIME of new messages only. SECURITY
 * INVOKER; 42501 when the account is not the caller's.
 */
set local role crmsync_owner;

create or replace function public.email_known_messages(p_account uuid, p_ids text[])
returns table (provider_message_id text)
language plpgsql
stable
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_org uuid := private.current_org_id();
begin
  perform private.assert_my_email_account(p_account);
  return query
    select m.provider_message_id
      from public.email_messages m
     where m.organization_id = v_org and m.email_account_id = p_account
       and m.provider_message_id = any (coalesce(p_ids, '{}'));
end
$$;
comment on function public.email_known_messages(uuid, text[]) is
  'The provider ids among p_ids that the caller''s account already stores. 42501 for another account.';
revoke execute on function public.email_known_messages(uuid, text[]) from public;
grant execute on function public.email_known_messages(uuid, text[]) to crmsync_worker;
