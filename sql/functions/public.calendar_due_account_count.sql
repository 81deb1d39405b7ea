/*
 * public.calendar_due_account_count.sql — what the backend API (crmsync serve) needs beyond the
 * sync engine's functions: changing an account's settings, counting due accounts for the
 * metrics, and reading the migration ledger for /readyz.
 *
 * update_calendar_account_settings is a security definer because switching the synced
 * calendar must also forget what was synced from the old one (cursor, export watermark,
 * mappings), which a person may not write directly. It acts only on the caller's own account
 * in the active organization (the same rule as the update policy) and is audited by the
 * account trigger. Push channels of the old calendar are replaced by the push renewal
 * service, which compares each channel's calendar with the account's.
 */
set local role crmsync_owner;

create or replace function public.calendar_due_account_count()
returns bigint
language sql
stable
security definer
set search_path = ''
as $$
  select count(*)
    from public.calendar_accounts a
   where a.sync_enabled
     and a.connection_status in ('connected', 'error')
     and (a.sync_requested_at is not null or a.next_sync_at is null or a.next_sync_at <= now())
     and (a.lease_expires_at is null or a.lease_expires_at < now());
$$;
comment on function public.calendar_due_account_count() is
  'How many calendar accounts are due and unclaimed, across tenants (a number only, for the metrics).';
revoke execute on function public.calendar_due_account_count() from public;
grant execute on function public.calendar_due_account_count() to crmsync_worker;
