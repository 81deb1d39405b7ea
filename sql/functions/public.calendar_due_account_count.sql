/*
 * public.calendar_due_account_count.sql — Metrics (crmsync_worker, all organizations): how many
 * calendar accounts are due and unclaimed (enabled, connected|error, sync requested or
 * next_sync_at reached, lease free or expired): the same rule as claim_calendar_accounts. A
 * number only: no ids, no tenant data.
 *
 * Reads only due rows, from the claim's partial indexes (sql/migrations/365), whatever the
 * table holds besides.
 */
set local role crmsync_owner;

create or replace function public.calendar_due_account_count()
returns bigint
language sql
stable
security definer
set search_path = ''
set enable_seqscan = off
as $$
  -- the requested and the scheduled due accounts, each from the claim's partial index (see
  -- public.calendar_next_lease_expiry for why the sequential scan is off)
  select (select count(*)
            from public.calendar_accounts a
           where a.sync_requested_at is not null
             and a.sync_enabled
             and a.connection_status in ('connected', 'error')
             and (a.lease_expires_at is null or a.lease_expires_at < now()))
       + (select count(*)
            from public.calendar_accounts a
           where a.sync_requested_at is null
             and a.sync_enabled
             and a.connection_status in ('connected', 'error')
             and coalesce(a.next_sync_at, '-infinity'::timestamptz) <= now()
             and (a.lease_expires_at is null or a.lease_expires_at < now()));
$$;
comment on function public.calendar_due_account_count() is
  'How many calendar accounts are due and unclaimed, across tenants (a number only, for the metrics).';
revoke execute on function public.calendar_due_account_count() from public;
grant execute on function public.calendar_due_account_count() to crmsync_worker;
