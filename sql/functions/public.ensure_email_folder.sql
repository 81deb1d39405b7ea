/*
 * public.ensure_email_folder.sql — Returns the id of the caller's account's folder p_name,
 * creating it (cursor empty) when it is new; a changed p_role (inbox|sent|other) is recorded.
 * SECURITY INVOKER: the worker's policies decide, the explicit check refuses another account.
 */
set local role crmsync_owner;

create or replace function public.ensure_email_folder(p_account uuid, p_name text, p_role text)
returns uuid
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_org uuid := private.current_org_id();
  v_id  uuid;
begin
  perform 1
    from public.email_accounts a
   where a.organization_id = v_org and a.id = p_account and a.user_id = auth.uid();
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  if p_name is null or length(p_name) = 0 then
    raise exception 'p_name must name the folder' using errcode = '22023';
  end if;
  if p_role is not null and p_role not in ('inbox', 'sent', 'other') then
    raise exception 'p_role must be inbox, sent or other' using errcode = '22023';
  end if;
  insert into public.email_folders (organization_id, email_account_id, name, role)
  values (v_org, p_account, p_name, coalesce(p_role, 'other'))
  on conflict (organization_id, email_account_id, name) do update
     set role = excluded.role
   where email_folders.role is distinct from excluded.role
  returning id into v_id;
  if v_id is null then
    select f.id into v_id
      from public.email_folders f
     where f.organization_id = v_org and f.email_account_id = p_account and f.name = p_name;
  end if;
  return v_id;
end
$$;
comment on function public.ensure_email_folder(uuid, text, text) is
  'Id of the caller''s account''s folder p_name, created (empty cursor) when new; p_role inbox|sent|other recorded. 42501 for another account, 22023 for bad input.';
revoke execute on function public.ensure_email_folder(uuid, text, text) from public;
grant execute on function public.ensure_email_folder(uuid, text, text) to crmsync_worker;
