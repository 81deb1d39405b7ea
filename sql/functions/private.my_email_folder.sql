/*
 * private.my_email_folder.sql — the folder p_folder of the caller's email account p_account in
 * the active organization, locked against concurrent imports of the account (the account row
 * FOR NO KEY UPDATE, as import_calendar_events does). 42501 'folder not found' otherwise,
 * whether or not it exists. SECURITY INVOKER: the caller's policies apply as well.
 */
set local role crmsync_owner;

create or replace function private.my_email_folder(p_account uuid, p_folder uuid)
returns public.email_folders
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_org    uuid := private.current_org_id();
  v_folder public.email_folders;
begin
  perform 1
    from public.email_accounts a
   where a.organization_id = v_org and a.id = p_account and a.user_id = auth.uid()
     for no key update;
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  select f.* into v_folder
    from public.email_folders f
   where f.organization_id = v_org and f.email_account_id = p_account and f.id = p_folder
     for no key update;
  if not found then
    raise exception 'folder not found' using errcode = '42501';
  end if;
  return v_folder;
end
$$;
comment on function private.my_email_folder(uuid, uuid) is
  'The caller''s folder p_folder of account p_account in the active organization, with the account and folder rows locked (42501 otherwise).';
revoke execute on function private.my_email_folder(uuid, uuid) from public;
grant execute on function private.my_email_folder(uuid, uuid) to crmsync_worker;
