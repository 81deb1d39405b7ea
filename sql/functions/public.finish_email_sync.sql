/*
 * public.finish_email_sync.sql — Closes a running email_sync_log row of the caller's account
 * and updates the account: last sync and status, failures and back-off (success/partial:
 * +5 min; failed: +min(2^failures, 60) min; asked again during the run: now), last_error,
 * connection_status connected <-> error. Idempotent: a finished run is left as it is.
 *
 * SECURITY INVOKER, as finish_calendar_sync: the worker's policies decide.
 */
set local role crmsync_owner;

create or replace function public.finish_email_sync(
  p_log_id        uuid,
  p_status        text,
  p_imported      int,
  p_updated       int,
  p_deleted       int,
  p_errors        int,
  p_error_details jsonb
) returns void
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_org     uuid := private.current_org_id();
  v_account uuid;
  v_status  text;
  v_details jsonb := coalesce(p_error_details, '[]'::jsonb);
  v_error   text;
begin
  if p_status is null or p_status not in ('success', 'partial', 'failed') then
    raise exception 'p_status must be success, partial or failed' using errcode = '22023';
  end if;
  if jsonb_typeof(v_details) <> 'array' then
    v_details := jsonb_build_array(v_details);
  end if;

  select l.email_account_id, l.status into v_account, v_status
    from public.email_sync_log l
   where l.organization_id = v_org and l.id = p_log_id
     for update;
  if not found then
    raise exception 'sync run not found' using errcode = '42501';
  end if;
  if v_status <> 'running' then
    return;  -- already finished: a retried call changes nothing
  end if;

  update public.email_sync_log l
     set status            = p_status,
         messages_imported = greatest(coalesce(p_imported, 0), 0),
         messages_updated  = greatest(coalesce(p_updated, 0), 0),
         messages_deleted  = greatest(coalesce(p_deleted, 0), 0),
         errors            = greatest(coalesce(p_errors, 0), 0),
         error_details     = v_details,
         completed_at      = greatest(clock_timestamp(), l.started_at)
   where l.organization_id = v_org and l.id = p_log_id;

  v_error := left(coalesce(v_details -> 0 ->> 'message', v_details -> 0 ->> 'error',
                           case when jsonb_typeof(v_details -> 0) = 'string' then v_details ->> 0 end,
                           case when jsonb_array_length(v_details) > 0 then (v_details -> 0)::text end,
                           case when p_status <> 'success' then 'sync ' || p_status end), 2000);

  update public.email_accounts a
     set last_sync_at         = now(),
         last_sync_status     = p_status,
         consecutive_failures = case when p_status = 'failed' then a.consecutive_failures + 1 else 0 end,
         next_sync_at         = case
                                  when a.sync_requested_at is not null then now()  -- asked again during the run
                                  when p_status = 'failed'
                                    then now() + least(power(2, least(a.consecutive_failures + 1, 10)) * interval '1 minute',
                                                       interval '60 minutes')
                                  else now() + interval '5 minutes'
                                end,
         last_error           = case when p_status = 'success' then null else v_error end,
         connection_status    = case
                                  when p_status = 'failed' and a.connection_status = 'connected' then 'error'
                                  when p_status <> 'failed' and a.connection_status = 'error' then 'connected'
                                  else a.connection_status
                                end
   where a.organization_id = v_org and a.id = v_account and a.user_id = auth.uid();
end
$$;
comment on function public.finish_email_sync(uuid, text, int, int, int, int, jsonb) is
  'Closes a running email_sync_log row of the caller''s account and updates the account: last sync, failures and back-off (success/partial: +5 min; failed: +min(2^failures, 60) min), last_error, connected<->error. Idempotent.';
revoke execute on function public.finish_email_sync(uuid, text, int, int, int, int, jsonb) from public;
grant execute on function public.finish_email_sync(uuid, text, int, int, int, int, jsonb) to crmsync_worker;
