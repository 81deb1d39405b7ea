/*
 * public.email_sync_log.sql — the triggers on public.email_sync_log: updated_at, and no row ever moves to
 * another organization.
 */
set local role crmsync_owner;

create or replace trigger email_sync_log_set_updated_at
  before update on public.email_sync_log
  for each row execute function private.set_updated_at();
create or replace trigger email_sync_log_forbid_organization_change
  before update on public.email_sync_log
  for each row execute function private.forbid_organization_change();
