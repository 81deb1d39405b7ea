/*
 * public.start_email_sync.sql — Opens an email_sync_log row (status running) for the caller's
 * email account and returns its id (sync_type manual|auto|webhook); earlier runs of the
 * account still running are closed as failed (abandoned).
 *
 * SECURITY INVOKER, as start_calendar_sync: the worker's policies on email_sync_log decide,
 * and the explicit check refuses another user's account with 42501.
 */
set local role crmsync_owner;

create or replace function public.start_email_sync(p_account uuid, p_sync_type text)
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
  if p_sync_type is not null and p_sync_type not in ('manual', 'auto', 'webhook') then
    raise exception 'p_sync_type must be manual, auto or webhook' using errcode = '22023';
  end if;
  -- Runs of this account still 'running' were abandoned (the caller holds the account now).
  update public.email_sync_log l
     set status        = 'failed',
         completed_at  = greatest(clock_timestamp(), l.started_at),
         error_details = l.error_details || jsonb_build_array(jsonb_build_object('message', 'run abandoned: the worker stopped before finishing'))
   where l.organization_id = v_org and l.email_account_id = p_account and l.status = 'running';
  insert into public.email_sync_log (organization_id, email_account_id, sync_type, status)
  values (v_org, p_account, coalesce(p_sync_type, 'auto'), 'running')
  returning id into v_id;
  return v_id;
end
$$;
comment on function public.start_email_sync(uuid, text) is
  'Opens an email_sync_log row (status running) for the caller''s email account and returns its id (sync_type manual|auto|webhook); earlier runs of the account still running are closed as failed (abandoned).';
revoke execute on function public.start_email_sync(uuid, text) from public;
grant execute on function public.start_email_sync(uuid, text) to crmsync_worker;
