/*
 * public.calendar_next_lease_expiry.sql — Scheduler (crmsync_worker, all organizations): seconds
 * until the earliest lease of a due calendar account runs out, or null when no due account is
 * leased. An idle worker slot waits no longer than that, so the account of a worker that died
 * is taken over as soon as its lease expires rather than at the next poll. A number only: no
 * ids, no tenant data. Measured on the database's clock, so the workers' clocks do not matter.
 *
 * Every idle worker slot asks, so it reads only due rows: the requested accounts and the
 * scheduled ones that are due, each from the claim's partial index
 * (calendar_accounts_claim_requested_idx, _claim_scheduled_idx, sql/migrations/365), as
 * claim_calendar_accounts does, not the whole table. The sequential scan is switched off for
 * the function: a statistic of next_sync_at taken before its times came due says every account
 * is due, and a plan built on it would read the table on every poll.
 */
set local role crmsync_owner;

create or replace function public.calendar_next_lease_expiry()
returns double precision
language sql
stable
security definer
set search_path = ''
set enable_seqscan = off
as $$
  -- least() skips a null: no leased account in one of the two branches
  select extract(epoch from least(
           (select min(a.lease_expires_at)
              from public.calendar_accounts a
             where a.sync_requested_at is not null
               and a.sync_enabled
               and a.connection_status in ('connected', 'error')
               and a.lease_expires_at >= now()),
           (select min(a.lease_expires_at)
              from public.calendar_accounts a
             where a.sync_requested_at is null
               and a.sync_enabled
               and a.connection_status in ('connected', 'error')
               and coalesce(a.next_sync_at, '-infinity'::timestamptz) <= now()
               and a.lease_expires_at >= now())) - now())::double precision;
$$;
comment on function public.calendar_next_lease_expiry() is
  'Seconds until the earliest lease of a due calendar account runs out, across tenants; null when none is leased (a number only, for idle workers).';
revoke execute on function public.calendar_next_lease_expiry() from public;
grant execute on function public.calendar_next_lease_expiry() to crmsync_worker;
