/*
 * public.request_email_sync.sql — A person (or the engine in the owner's session) asks to sync
 * the caller's email account now: due immediately, NOTIFY crmsync_sync_requested with the
 * account id (the worker's wake-up channel, shared with calendars).
 *
 * Security definer: people hold no grant on the lease/request columns; the explicit filter
 * (active organization, auth.uid()) is the whole check.
 */
set local role crmsync_owner;

create or replace function public.request_email_sync(p_account uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  update public.email_accounts a
     set sync_requested_at = now(),
         next_sync_at      = now()
   where a.organization_id = private.current_org_id() and a.id = p_account and a.user_id = auth.uid();
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  perform pg_catalog.pg_notify('crmsync_sync_requested', p_account::text);
end
$$;
comment on function public.request_email_sync(uuid) is
  'A person (or the engine in the owner''s session) asks to sync the caller''s email account now: due immediately, NOTIFY crmsync_sync_requested with the account id. 42501 when the account is not the caller''s.';
revoke execute on function public.request_email_sync(uuid) from public;
grant execute on function public.request_email_sync(uuid) to authenticated, crmsync_worker;
