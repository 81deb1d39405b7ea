/*
 * public.calendar_push_channels.sql — the triggers on public.calendar_push_channels.
 */
set local role crmsync_owner;

create or replace trigger calendar_push_channels_set_updated_at
  before update on public.calendar_push_channels
  for each row execute function private.set_updated_at();
create or replace trigger calendar_push_channels_forbid_organization_change
  before update on public.calendar_push_channels
  for each row execute function private.forbid_organization_change();
