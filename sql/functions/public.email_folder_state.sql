/*
 * public.email_folder_state.sql — The synced folders of the caller's email account with their
 * cursors (uidvalidity, last_uid, highestmodseq, last full scan): where the next run starts.
 * SECURITY INVOKER; 42501 when the account is not the caller's.
 */
set local role crmsync_owner;

create or replace function public.email_folder_state(p_account uuid)
returns table (folder_id uuid, name text, role text, uidvalidity bigint, last_uid bigint, highestmodseq bigint,
               last_full_scan_at timestamptz)
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
    select f.id, f.name, f.role, f.uidvalidity, f.last_uid, f.highestmodseq, f.last_full_scan_at
      from public.email_folders f
     where f.organization_id = v_org and f.email_account_id = p_account
     order by f.name;
end
$$;
comment on function public.email_folder_state(uuid) is
  'The caller''s account''s synced folders and their cursors (uidvalidity, last_uid, highestmodseq, last_full_scan_at). 42501 for another account.';
revoke execute on function public.email_folder_state(uuid) from public;
grant execute on function public.email_folder_state(uuid) to authenticated, crmsync_worker;
