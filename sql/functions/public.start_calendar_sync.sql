/*
 * public.start_calendar_sync.sql — Opens a calendar_sync_log row (status running) for the
 * caller's calendar account and returns its id (sync_type manual|auto|webhook, direction
 * import|export|bidirectional); earlier runs of the account still running are closed as failed
 * (abandoned), keeping the counts they recorded as they went (record_calendar_sync_progress)
 * and counting the abandonment as one more error.
 */
set local role crmsync_owner;

-- runs ---------------------------------------------------------------------------------------

create or replace function public.start_calendar_sync(p_account_id uuid, p_sync_type text, p_direction text)
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
    from public.calendar_accounts a
   where a.organization_id = v_org and a.id = p_account_id and a.user_id = auth.uid();
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  -- Runs of this account still 'running' were abandoned (the caller holds the account now).
  -- Their counts stay as recorded; the abandonment is one more error, described in the details.
  update public.calendar_sync_log l
     set status        = 'failed',
         errors        = l.errors + 1,
         completed_at  = greatest(clock_timestamp(), l.started_at),
         error_details = l.error_details || jsonb_build_array(jsonb_build_object('message', 'run abandoned: the worker stopped before finishing'))
   where l.organization_id = v_org and l.calendar_account_id = p_account_id and l.status = 'running';
  insert into public.calendar_sync_log (organization_id, calendar_account_id, sync_type, sync_direction, status)
  values (v_org, p_account_id, coalesce(p_sync_type, 'auto'), coalesce(p_direction, 'bidirectional'), 'running')
  returning id into v_id;
  return v_id;
end
$$;
comment on function public.start_calendar_sync(uuid, text, text) is
  'Opens a calendar_sync_log row (status running) for the caller''s calendar account and returns its id (sync_type manual|auto|webhook, direction import|export|bidirectional); earlier runs of the account still running are closed as failed (abandoned), keeping their recorded counts and counting the abandonment as an error.';
revoke execute on function public.start_calendar_sync(uuid, text, text) from public;
grant execute on function public.start_calendar_sync(uuid, text, text) to crmsync_worker;
