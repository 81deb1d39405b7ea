/*
 * public.calendar_next_lease_expiry.sql — Scheduler (crmsync_worker, all organizations): seconds
 * until the earliest lease of a due calendar account runs out, or null when no due account is
 * leased. An idle worker slot waits no longer than that, so the account of a worker that died
 * is taken over as soon as its lease expires rather than at the next poll. A number only: no
 * ids, no tenant data. Measured on the database's clock, so the workers' clocks do not matter.
 */
set local role crmsync_owner;

create or replace function public.calendar_next_lease_expiry()
returns double precision
language sql
stable
security definer
set search_path = ''
as $$
  select extract(epoch from min(a.lease_expires_at) - now())::double precision
    from public.calendar_accounts a
   where a.sync_enabled
     and a.connection_status in ('connected', 'error')
     and (a.sync_requested_at is not null or a.next_sync_at is null or a.next_sync_at <= now())
     and a.lease_expires_at >= now();
$$;
comment on function public.calendar_next_lease_expiry() is
  'Seconds until the earliest lease of a due calendar account runs out, across tenants; null when none is leased (a number only, for idle workers).';
revoke execute on function public.calendar_next_lease_expiry() from public;
grant execute on function public.calendar_next_lease_expiry() to crmsync_worker;
