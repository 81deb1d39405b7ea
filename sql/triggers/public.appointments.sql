/*
 * public.appointments.sql — the triggers on public.appointments.
 */
set local role crmsync_owner;

create or replace trigger appointments_set_updated_at
  before update on public.appointments
  for each row execute function private.set_updated_at();
create or replace trigger appointments_forbid_organization_change
  before update on public.appointments
  for each row execute function private.forbid_organization_change();
create or replace trigger appointments_bump_crm_version
  before update on public.appointments
  for each row execute function private.bump_crm_version();
-- The column default already holds the right value; the trigger (a PL/pgSQL call) fires only
-- for a client that sends another value.
create or replace trigger appointments_stamp_change_xid
  before insert on public.appointments
  for each row when (new.change_xid is distinct from pg_catalog.pg_current_xact_id())
  execute function private.stamp_change_xid();
-- The export reads only its user's appointments: the accounts an appointment leaves learn it
-- from their mappings (private.calendar_mark_reassigned).
create or replace trigger appointments_mark_reassigned
  after update of owner_id on public.appointments
  for each row when (new.owner_id is distinct from old.owner_id)
  execute function private.calendar_mark_reassigned();
