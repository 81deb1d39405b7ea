/*
 * public.claim_calendar_accounts.sql — Scheduler (crmsync_worker, all organizations): leases up
 * to p_limit due calendar accounts (enabled, connected|error, next_sync_at reached or sync
 * requested, lease free or expired) to p_worker, FOR UPDATE SKIP LOCKED. Returns ids and the
 * run's trigger: webhook (a pending request a webhook made), manual (any other pending
 * request: a person asked), auto (due by schedule). Return type changed by migration 330.
 *
 * Reads only due rows: the requested accounts, then the scheduled ones, each an ordered range
 * of its own partial index (calendar_accounts_claim_requested_idx, _claim_scheduled_idx,
 * sql/migrations/365), so a claim reads the accounts it takes (plus those leased right now),
 * not the whole table with its dead row versions. Together the two keep the one order: oldest
 * request first, then next_sync_at with null first, then id.
 */
set local role crmsync_owner;

-- scheduling (cross-tenant) ------------------------------------------------------------------

create or replace function public.claim_calendar_accounts(p_worker text, p_limit int, p_lease_seconds int)
returns table (account_id uuid, organization_id uuid, user_id uuid, provider text, sync_trigger text)
language plpgsql
volatile
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_claimed int;
begin
  if p_worker is null or length(btrim(p_worker)) = 0 then
    raise exception 'p_worker must name the worker' using errcode = '22023';
  end if;
  if p_limit is null or p_limit < 1 or p_lease_seconds is null or p_lease_seconds < 1 then
    raise exception 'p_limit and p_lease_seconds must be positive' using errcode = '22023';
  end if;
  -- requested first (a person or a webhook asked), oldest request first
  return query
  with due as (
    select a.organization_id, a.id,
           case when a.webhook_requested_at = a.sync_requested_at then 'webhook' else 'manual' end as sync_trigger
      from public.calendar_accounts a
     where a.sync_requested_at is not null
       and a.sync_enabled
       and a.connection_status in ('connected', 'error')
       and (a.lease_expires_at is null or a.lease_expires_at < now())
     order by a.sync_requested_at, coalesce(a.next_sync_at, '-infinity'::timestamptz), a.id
     limit p_limit
       for update skip locked
  )
  update public.calendar_accounts a
     set lease_owner       = p_worker,
         lease_expires_at  = now() + make_interval(secs => p_lease_seconds),
         sync_requested_at = null
    from due
   where a.organization_id = due.organization_id and a.id = due.id
  returning a.id, a.organization_id, a.user_id, a.provider, due.sync_trigger;
  get diagnostics v_claimed = row_count;
  if v_claimed >= p_limit then
    return;
  end if;

  -- then due by schedule, next_sync_at order with never-scheduled (null) first: the range
  -- below is the start of calendar_accounts_claim_scheduled_idx, whatever the table holds besides
  return query
  with due as (
    select a.organization_id, a.id,
           'auto'::text as sync_trigger
      from public.calendar_accounts a
     where a.sync_requested_at is null
       and a.sync_enabled
       and a.connection_status in ('connected', 'error')
       and coalesce(a.next_sync_at, '-infinity'::timestamptz) <= now()
       and (a.lease_expires_at is null or a.lease_expires_at < now())
     order by coalesce(a.next_sync_at, '-infinity'::timestamptz), a.id
     limit p_limit - v_claimed
       for update skip locked
  )
  update public.calendar_accounts a
     set lease_owner       = p_worker,
         lease_expires_at  = now() + make_interval(secs => p_lease_seconds)
    from due
   where a.organization_id = due.organization_id and a.id = due.id
  returning a.id, a.organization_id, a.user_id, a.provider, due.sync_trigger;
end
$$;
comment on function public.claim_calendar_accounts(text, int, int) is
  'Scheduler (crmsync_worker, all organizations): leases up to p_limit due calendar accounts (enabled, connected|error, next_sync_at reached or sync requested, lease free or expired) to p_worker, FOR UPDATE SKIP LOCKED. Returns ids and the run''s trigger (webhook: a pending request a webhook made; manual: any other pending request; auto: due by schedule).';
revoke execute on function public.claim_calendar_accounts(text, int, int) from public;
grant execute on function public.claim_calendar_accounts(text, int, int) to crmsync_worker;
