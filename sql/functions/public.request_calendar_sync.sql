/*
 * public.request_calendar_sync.sql — A person (or a webhook handled in the owner's session) asks
 * to sync the caller's calendar account now: due immediately, NOTIFY crmsync_sync_requested with
 * the account id.
 */
set local role crmsync_owner;

create or replace function public.request_calendar_sync(p_account_id uuid)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  update public.calendar_accounts a
     set sync_requested_at = now(),
         next_sync_at      = now()
   where a.organization_id = private.current_org_id() and a.id = p_account_id and a.user_id = auth.uid();
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  perform pg_catalog.pg_notify('crmsync_sync_requested', p_account_id::text);
end
$$;
comment on function public.request_calendar_sync(uuid) is
  'A person (or a webhook handled in the owner''s session) asks to sync the caller''s calendar account now: due immediately, NOTIFY crmsync_sync_requested with the account id.';
revoke execute on function public.request_calendar_sync(uuid) from public;
grant execute on function public.request_calendar_sync(uuid) to authenticated, crmsync_worker;
