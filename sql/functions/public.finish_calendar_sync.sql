/*
 * public.finish_calendar_sync.sql — Closes a running sync log row of the caller's account and
 * updates the account: last sync, cursor (new when p_next_cursor, else cleared when
 * p_clear_cursor), failures and back-off (success/partial: +5 min; failed: +min(2^failures, 60)
 * min), last_error. Idempotent.
 */
set local role crmsync_owner;

create or replace function public.finish_calendar_sync(
  p_log_id        uuid,
  p_status        text,
  p_imported      int,
  p_exported      int,
  p_updated       int,
  p_deleted       int,
  p_errors        int,
  p_error_details jsonb,
  p_next_cursor   text,
  p_clear_cursor  boolean
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
  v_client_rejected boolean := false;
begin
  if p_status is null or p_status not in ('success', 'partial', 'failed') then
    raise exception 'p_status must be success, partial or failed' using errcode = '22023';
  end if;
  if jsonb_typeof(v_details) <> 'array' then
    v_details := jsonb_build_array(v_details);
  end if;

  select l.calendar_account_id, l.status into v_account, v_status
    from public.calendar_sync_log l
   where l.organization_id = v_org and l.id = p_log_id
     for update;
  if not found then
    raise exception 'sync run not found' using errcode = '42501';
  end if;
  if v_status <> 'running' then
    return;  -- already finished: a retried call changes nothing
  end if;

  update public.calendar_sync_log l
     set status          = p_status,
         events_imported = greatest(coalesce(p_imported, 0), 0),
         events_exported = greatest(coalesce(p_exported, 0), 0),
         events_updated  = greatest(coalesce(p_updated, 0), 0),
         events_deleted  = greatest(coalesce(p_deleted, 0), 0),
         -- a failed run counts at least the error that ended it
         errors          = greatest(coalesce(p_errors, 0), case when p_status = 'failed' then 1 else 0 end),
         error_details   = v_details,
         completed_at    = greatest(clock_timestamp(), l.started_at)
   where l.organization_id = v_org and l.id = p_log_id;

  v_error := left(coalesce(v_details -> 0 ->> 'message', v_details -> 0 ->> 'error',
                           case when jsonb_typeof(v_details -> 0) = 'string' then v_details ->> 0 end,
                           case when jsonb_array_length(v_details) > 0 then (v_details -> 0)::text end,
                           case when p_status <> 'success' then 'sync ' || p_status end), 2000);

  -- A failed run while the account's OAuth client stands refused by the provider
  -- (report_oauth_client_rejected) is the operator's problem: the account keeps its status and
  -- failure count and waits an hour, or until set_oauth_client stores a new secret.
  if p_status = 'failed' then
    select private.oauth_client_rejected(a.organization_id, a.provider) into v_client_rejected
      from public.calendar_accounts a
     where a.organization_id = v_org and a.id = v_account;
    v_client_rejected := coalesce(v_client_rejected, false);
  end if;

  update public.calendar_accounts a
     set last_sync_at         = now(),
         last_sync_status     = p_status,
         sync_cursor          = case when p_next_cursor is not null then p_next_cursor
                                     when p_clear_cursor then null
                                     else a.sync_cursor end,
         consecutive_failures = case when v_client_rejected then a.consecutive_failures
                                     when p_status = 'failed' then a.consecutive_failures + 1 else 0 end,
         next_sync_at         = case
                                  when a.sync_requested_at is not null then now()  -- asked again during the run
                                  when v_client_rejected then now() + interval '60 minutes'
                                  when p_status = 'failed'
                                    then now() + least(power(2, least(a.consecutive_failures + 1, 10)) * interval '1 minute',
                                                       interval '60 minutes')
                                  else now() + interval '5 minutes'
                                end,
         last_error           = case when p_status = 'success' then null else v_error end,
         connection_status    = case
                                  when v_client_rejected then a.connection_status
                                  when p_status = 'failed' and a.connection_status = 'connected' then 'error'
                                  when p_status <> 'failed' and a.connection_status = 'error' then 'connected'
                                  else a.connection_status
                                end,
         -- a completed export scan becomes the watermark; a full resync rescans everything
         export_watermark     = case when coalesce(p_clear_cursor, false) then null
                                     when p_status <> 'failed' and a.export_watermark_staged is not null
                                       then a.export_watermark_staged
                                     else a.export_watermark end,
         export_full_scan_at  = case when coalesce(p_clear_cursor, false) then null
                                     when p_status <> 'failed' and a.export_full_scan_staged
                                       then a.export_watermark_staged
                                     else a.export_full_scan_at end,
         export_watermark_staged = null,
         export_full_scan_staged = false
   where a.organization_id = v_org and a.id = v_account and a.user_id = auth.uid();
end
$$;
comment on function public.finish_calendar_sync(uuid, text, int, int, int, int, int, jsonb, text, boolean) is
  'Closes a running sync log row of the caller''s account and updates the account: last sync, cursor (new when p_next_cursor, else cleared when p_clear_cursor), failures and back-off (success/partial: +5 min; failed: +min(2^failures, 60) min; failed while the account''s OAuth client stands refused: status and failures kept, +60 min), last_error. Idempotent.';
revoke execute on function public.finish_calendar_sync(uuid, text, int, int, int, int, int, jsonb, text, boolean) from public;
grant execute on function public.finish_calendar_sync(uuid, text, int, int, int, int, int, jsonb, text, boolean) to crmsync_worker;
