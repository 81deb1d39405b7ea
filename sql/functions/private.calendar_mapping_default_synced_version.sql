/*
 * private.calendar_mapping_default_synced_version.sql — BEFORE INSERT trigger on
 * calendar_event_mappings: a 'synced' mapping without synced_crm_version gets the appointment's
 * current crm_version.
 */
set local role crmsync_owner;

-- A mapping inserted as 'synced' without a version (older code paths, demo data) agrees with
-- the appointment as it is now.
create or replace function private.calendar_mapping_default_synced_version()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  select a.crm_version into new.synced_crm_version
    from public.appointments a
   where a.organization_id = new.organization_id and a.id = new.appointment_id;
  return new;
end
$$;
comment on function private.calendar_mapping_default_synced_version() is
  'BEFORE INSERT trigger on calendar_event_mappings: a ''synced'' mapping without synced_crm_version gets the appointment''s current crm_version.';
revoke execute on function private.calendar_mapping_default_synced_version() from public;
