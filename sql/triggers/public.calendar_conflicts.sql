/*
 * public.calendar_conflicts.sql — the triggers on public.calendar_conflicts.
 */
set local role crmsync_owner;

create or replace trigger calendar_conflicts_set_updated_at
  before update on public.calendar_conflicts
  for each row execute function private.set_updated_at();
create or replace trigger calendar_conflicts_forbid_organization_change
  before update on public.calendar_conflicts
  for each row execute function private.forbid_organization_change();
