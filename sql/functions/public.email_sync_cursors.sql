/*
 * public.email_sync_cursors.sql — where the next Gmail or Graph mail run of the caller's
 * account starts: the account's cursor (Gmail historyId; folder_id null) and each synced
 * folder's (Graph deltaLink). A null cursor means a full listing. SECURITY INVOKER; 42501 when
 * the account is not the caller's.
 */
set local role crmsync_owner;

create or replace function public.email_sync_cursors(p_account uuid)
returns table (folder_id uuid, name text, role text, cursor text)
language plpgsql
stable
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_org    uuid := private.current_org_id();
  v_cursor text;
begin
  select a.sync_cursor into v_cursor
    from public.email_accounts a
   where a.organization_id = v_org and a.id = p_account and a.user_id = auth.uid();
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  return query
    select null::uuid, null::text, null::text, v_cursor
    union all
    (select f.id, f.name, f.role, f.sync_cursor
       from public.email_folders f
      where f.organization_id = v_org and f.email_account_id = p_account
      order by f.name);
end
$$;
comment on function public.email_sync_cursors(uuid) is
  'The caller''s account''s API sync cursors: the account''s (folder_id null; Gmail historyId) and each folder''s (Graph deltaLink). 42501 for another account.';
revoke execute on function public.email_sync_cursors(uuid) from public;
grant execute on function public.email_sync_cursors(uuid) to crmsync_worker;
