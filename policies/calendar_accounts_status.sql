/*
 * policies/calendar_accounts_status.sql — the columns the API's status badges read.
 *
 * A person may read whether their account is being synced (lease_expires_at), whether a sync
 * is pending (sync_requested_at) and why the last run failed (last_error), under the same row
 * policies as the rest of the account (policies/calendar_accounts.sql). lease_owner (a worker's
 * host name) stays internal.
 */
grant select (lease_expires_at, sync_requested_at, last_error) on table public.calendar_accounts to authenticated;
