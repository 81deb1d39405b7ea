/*
 * public.calendar_event_mappings.sql — the triggers on public.calendar_event_mappings.
 */
set local role crmsync_owner;

create or replace trigger calendar_event_mappings_set_updated_at
  before update on public.calendar_event_mappings
  for each row execute function private.set_updated_at();
create or replace trigger calendar_event_mappings_forbid_organization_change
  before update on public.calendar_event_mappings
  for each row execute function private.forbid_organization_change();
create or replace trigger calendar_event_mappings_default_synced_version
  before insert on public.calendar_event_mappings
  for each row when (new.synced_crm_version is null and new.sync_status = 'synced')
  execute function private.calendar_mapping_default_synced_version();
