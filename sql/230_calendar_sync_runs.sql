/*
 * 230_calendar_sync_runs.sql — sync runs, back-off, re-authorization, requests to sync, and
 * the cross-tenant scheduler's leases.
 *
 * Run bookkeeping (start/finish/reauth/request) is SECURITY INVOKER: the caller's identity and
 * the policies of calendar_accounts and calendar_sync_log restrict it to the caller's own
 * account; another user's or organization's account id raises 42501 'account not found'.
 *
 * Scheduling must see every organization's accounts, so claim/renew/release are SECURITY
 * DEFINER, executable by crmsync_worker only, and return ids, never secrets. A lease is
 * (lease_owner, lease_expires_at): claimable when free or expired (a dead worker's accounts
 * come back), renewable only by its holder.
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
  update public.calendar_sync_log l
     set status        = 'failed',
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
  'Opens a calendar_sync_log row (status running) for the caller''s calendar account and returns its id (sync_type manual|auto|webhook, direction import|export|bidirectional); earlier runs of the account still running are closed as failed (abandoned).';
revoke execute on function public.start_calendar_sync(uuid, text, text) from public;
grant execute on function public.start_calendar_sync(uuid, text, text) to crmsync_worker;

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
         errors          = greatest(coalesce(p_errors, 0), 0),
         error_details   = v_details,
         completed_at    = greatest(clock_timestamp(), l.started_at)
   where l.organization_id = v_org and l.id = p_log_id;

  v_error := left(coalesce(v_details -> 0 ->> 'message', v_details -> 0 ->> 'error',
                           case when jsonb_typeof(v_details -> 0) = 'string' then v_details ->> 0 end,
                           case when jsonb_array_length(v_details) > 0 then (v_details -> 0)::text end,
                           case when p_status <> 'success' then 'sync ' || p_status end), 2000);

  update public.calendar_accounts a
     set last_sync_at         = now(),
         last_sync_status     = p_status,
         sync_cursor          = case when p_next_cursor is not null then p_next_cursor
                                     when p_clear_cursor then null
                                     else a.sync_cursor end,
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
  'Closes a running sync log row of the caller''s account and updates the account: last sync, cursor (new when p_next_cursor, else cleared when p_clear_cursor), failures and back-off (success/partial: +5 min; failed: +min(2^failures, 60) min), last_error. Idempotent.';
revoke execute on function public.finish_calendar_sync(uuid, text, int, int, int, int, int, jsonb, text, boolean) from public;
grant execute on function public.finish_calendar_sync(uuid, text, int, int, int, int, int, jsonb, text, boolean) to crmsync_worker;

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

-- scheduling (cross-tenant) ------------------------------------------------------------------

create or replace function public.claim_calendar_accounts(p_worker text, p_limit int, p_lease_seconds int)
returns table (account_id uuid, organization_id uuid, user_id uuid, provider text)
language plpgsql
volatile
security definer
set search_path = ''
as $$
#variable_conflict use_column
begin
  if p_worker is null or length(btrim(p_worker)) = 0 then
    raise exception 'p_worker must name the worker' using errcode = '22023';
  end if;
  if p_limit is null or p_limit < 1 or p_lease_seconds is null or p_lease_seconds < 1 then
    raise exception 'p_limit and p_lease_seconds must be positive' using errcode = '22023';
  end if;
  return query
  with due as (
    select a.organization_id, a.id
      from public.calendar_accounts a
     where a.sync_enabled
       and a.connection_status in ('connected', 'error')
       and (a.next_sync_at is null or a.next_sync_at <= now() or a.sync_requested_at is not null)
       and (a.lease_expires_at is null or a.lease_expires_at < now())
     order by a.sync_requested_at nulls last, a.next_sync_at nulls first, a.id
     limit p_limit
       for update skip locked
  )
  update public.calendar_accounts a
     set lease_owner       = p_worker,
         lease_expires_at  = now() + make_interval(secs => p_lease_seconds),
         sync_requested_at = null
    from due
   where a.organization_id = due.organization_id and a.id = due.id
  returning a.id, a.organization_id, a.user_id, a.provider;
end
$$;
comment on function public.claim_calendar_accounts(text, int, int) is
  'Scheduler (crmsync_worker, all organizations): leases up to p_limit due calendar accounts (enabled, connected|error, next_sync_at reached or sync requested, lease free or expired) to p_worker, FOR UPDATE SKIP LOCKED. Returns ids only.';
revoke execute on function public.claim_calendar_accounts(text, int, int) from public;
grant execute on function public.claim_calendar_accounts(text, int, int) to crmsync_worker;

create or replace function public.renew_calendar_lease(p_account_id uuid, p_worker text, p_lease_seconds int)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if p_lease_seconds is null or p_lease_seconds < 1 then
    raise exception 'p_lease_seconds must be positive' using errcode = '22023';
  end if;
  update public.calendar_accounts a
     set lease_expires_at = now() + make_interval(secs => p_lease_seconds)
   where a.id = p_account_id and a.lease_owner = p_worker;
  return found;
end
$$;
comment on function public.renew_calendar_lease(uuid, text, int) is
  'Extends p_worker''s lease on a calendar account; false when the lease was lost (released, or taken over after it expired).';
revoke execute on function public.renew_calendar_lease(uuid, text, int) from public;
grant execute on function public.renew_calendar_lease(uuid, text, int) to crmsync_worker;

create or replace function public.release_calendar_lease(p_account_id uuid, p_worker text)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  update public.calendar_accounts a
     set lease_owner = null, lease_expires_at = null
   where a.id = p_account_id and a.lease_owner = p_worker;
end
$$;
comment on function public.release_calendar_lease(uuid, text) is
  'Releases p_worker''s lease on a calendar account (no-op when p_worker does not hold it).';
revoke execute on function public.release_calendar_lease(uuid, text) from public;
grant execute on function public.release_calendar_lease(uuid, text) to crmsync_worker;
