/*
 * public.email_message_locations.sql — the triggers on public.email_message_locations: updated_at, and no row ever moves to
 * another organization.
 */
set local role crmsync_owner;

create or replace trigger email_message_locations_set_updated_at
  before update on public.email_message_locations
  for each row execute function private.set_updated_at();
create or replace trigger email_message_locations_forbid_organization_change
  before update on public.email_message_locations
  for each row execute function private.forbid_organization_change();
