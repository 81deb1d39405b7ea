/*
 * public.calendar_sync_log.sql — the triggers on public.calendar_sync_log.
 */
set local role crmsync_owner;

create or replace trigger calendar_sync_log_set_updated_at
  before update on public.calendar_sync_log
  for each row execute function private.set_updated_at();
create or replace trigger calendar_sync_log_forbid_organization_change
  before update on public.calendar_sync_log
  for each row execute function private.forbid_organization_change();
