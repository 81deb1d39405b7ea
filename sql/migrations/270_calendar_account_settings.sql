/*
 * 270_calendar_account_settings.sql — what the backend API (crmsync serve) needs beyond the
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

reset role;

-- /readyz compares the ledger with the files the service was shipped with.
grant usage on schema crmsync to crmsync_app;
grant select on crmsync.schema_migrations to crmsync_app;
