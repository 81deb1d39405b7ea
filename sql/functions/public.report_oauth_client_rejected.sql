/*
 * public.report_oauth_client_rejected.sql — The provider refused the OAuth client the caller's
 * account uses: recorded on that client (until set_oauth_client stores a new one). True when it
 * was not recorded yet.
 */
set local role crmsync_owner;

create or replace function public.report_oauth_client_rejected(p_account_id uuid, p_reason text)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_org      uuid := private.current_org_id();
  v_provider text;
  v_secret   uuid;
  v_first    boolean;
begin
  select case a.provider when 'outlook' then 'microsoft' else a.provider end into v_provider
    from public.calendar_accounts a
   where a.organization_id = v_org and a.id = p_account_id and a.user_id = auth.uid();
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  select o.id, o.rejected_at is null into v_secret, v_first
    from public.oauth_secrets o
   where o.provider = v_provider and (o.organization_id = v_org or o.organization_id is null)
   order by o.organization_id nulls last
   limit 1
     for update;
  if not found then
    return false;
  end if;
  if v_first then
    update public.oauth_secrets o
       set rejected_at = now(), rejected_reason = left(coalesce(nullif(p_reason, ''), 'invalid_client'), 200)
     where o.id = v_secret;
  end if;
  return v_first;
end
$$;
comment on function public.report_oauth_client_rejected(uuid, text) is
  'The provider refused the OAuth client the caller''s account uses: recorded on that client (until set_oauth_client stores a new one). True when it was not recorded yet.';
revoke execute on function public.report_oauth_client_rejected(uuid, text) from public;
grant execute on function public.report_oauth_client_rejected(uuid, text) to crmsync_worker;
