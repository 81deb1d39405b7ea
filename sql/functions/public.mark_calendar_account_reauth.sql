/*
 * public.mark_calendar_account_reauth.sql — Marks the caller's calendar account as needing re-
 * authorization (dead grant): no longer scheduled until reconnected; audited by the account
 * trigger.
 */
set local role crmsync_owner;

create or replace function public.mark_calendar_account_reauth(p_account_id uuid, p_reason text)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  update public.calendar_accounts a
     set connection_status = 'needs_reauth',
         last_error        = left(coalesce(nullif(p_reason, ''), 'authorization revoked or expired'), 2000)
   where a.organization_id = private.current_org_id() and a.id = p_account_id and a.user_id = auth.uid();
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
end
$$;
comment on function public.mark_calendar_account_reauth(uuid, text) is
  'Marks the caller''s calendar account as needing re-authorization (dead grant): no longer scheduled until reconnected; audited by the account trigger.';
revoke execute on function public.mark_calendar_account_reauth(uuid, text) from public;
grant execute on function public.mark_calendar_account_reauth(uuid, text) to crmsync_worker;
