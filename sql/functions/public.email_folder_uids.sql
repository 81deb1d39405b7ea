/*
 * public.email_folder_uids.sql — The UIDs crmsync knows in one folder of the caller's account,
 * ascending: the engine diffs them against the server's `UID SEARCH ALL` to find expunges when
 * the server has no QRESYNC. SECURITY INVOKER; 42501 when the folder is not the caller's.
 */
set local role crmsync_owner;

create or replace function public.email_folder_uids(p_folder uuid)
returns setof bigint
language plpgsql
stable
set search_path = ''
as $$
declare
  v_org     uuid := private.current_org_id();
  v_account uuid;
begin
  select f.email_account_id into v_account
    from public.email_folders f
    join public.email_accounts a on a.organization_id = f.organization_id and a.id = f.email_account_id
   where f.organization_id = v_org and f.id = p_folder and a.user_id = auth.uid();
  if not found then
    raise exception 'folder not found' using errcode = '42501';
  end if;
  return query
    select l.uid
      from public.email_message_locations l
     where l.organization_id = v_org and l.folder_id = p_folder
     order by l.uid;
end
$$;
comment on function public.email_folder_uids(uuid) is
  'UIDs known in one folder of the caller''s account, ascending (for the expunge diff). 42501 for another account''s folder.';
revoke execute on function public.email_folder_uids(uuid) from public;
grant execute on function public.email_folder_uids(uuid) to crmsync_worker;
