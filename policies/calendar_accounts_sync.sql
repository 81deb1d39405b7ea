/*
 * policies/calendar_accounts_sync.sql — grants on the calendar_accounts columns added by
 * sql/200_calendar_sync_state.sql (sync engine state).
 *
 * A separate file because policies/calendar_accounts.sql is applied already (and on a new
 * database runs after sql/, where its `revoke all` would drop column grants made there); this
 * file sorts after it. Every role that reads accounts reads the new columns (no secrets among
 * them). A person may set sync_requested_at (request_calendar_sync) on their own account; the
 * worker writes the run outcome (last_error, sync_requested_at) and the export watermark.
 * The lease columns are written only by the security definer scheduling functions.
 */
grant select (lease_owner, lease_expires_at, sync_requested_at, last_error, export_watermark, export_full_scan_at,
              export_watermark_staged, export_full_scan_staged)
  on table public.calendar_accounts to authenticated, crmsync_worker;
grant update (sync_requested_at)
  on table public.calendar_accounts to authenticated;
grant update (sync_requested_at, last_error, export_watermark, export_full_scan_at, export_watermark_staged,
              export_full_scan_staged)
  on table public.calendar_accounts to crmsync_worker;
