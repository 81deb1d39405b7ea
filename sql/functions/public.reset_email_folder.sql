/*
 * public.reset_email_folder.sql — The folder's UIDVALIDITY changed: every UID stored for it is
 * void. Drops the folder's locations (the messages stay; those now in no folder get
 * expunged_at), stores the new uidvalidity and restarts the cursor (last_uid 0, highestmodseq
 * null, no full scan yet). The rescan that follows re-matches messages by provider_message_id
 * (the Message-ID), clears expunged_at and writes new locations: nothing is deleted and
 * re-inserted. Returns how many messages were marked expunged. SECURITY INVOKER.
 */
set local role crmsync_owner;

create or replace function public.reset_email_folder(p_account uuid, p_folder uuid, p_uidvalidity bigint)
returns int
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_org    uuid := private.current_org_id();
  v_folder public.email_folders;
  v_gone   uuid[];
  v_marked int;
begin
  if p_uidvalidity is null or p_uidvalidity <= 0 then
    raise exception 'p_uidvalidity must be positive' using errcode = '22023';
  end if;
  v_folder := private.my_email_folder(p_account, p_folder);

  with dropped as (
    delete from public.email_message_locations l
     where l.organization_id = v_org and l.folder_id = p_folder
    returning l.email_message_id
  )
  select coalesce(array_agg(distinct d.email_message_id), '{}') into v_gone from dropped d;

  update public.email_messages m
     set expunged_at = now()
   where m.organization_id = v_org and m.email_account_id = p_account and m.id = any (v_gone)
     and m.expunged_at is null
     and not exists (select 1 from public.email_message_locations l
                      where l.organization_id = v_org and l.email_message_id = m.id);
  get diagnostics v_marked = row_count;

  update public.email_folders f
     set uidvalidity = p_uidvalidity, last_uid = 0, highestmodseq = null, last_full_scan_at = null
   where f.organization_id = v_org and f.id = p_folder;
  return v_marked;
end
$$;
comment on function public.reset_email_folder(uuid, uuid, bigint) is
  'UIDVALIDITY changed: drops the folder''s locations (messages in no folder get expunged_at), stores the new uidvalidity, restarts the cursor. Returns the number of messages marked expunged. 42501 for another account''s folder.';
revoke execute on function public.reset_email_folder(uuid, uuid, bigint) from public;
grant execute on function public.reset_email_folder(uuid, uuid, bigint) to crmsync_worker;
