/*
 * private.bump_crm_version.sql — BEFORE UPDATE trigger on appointments: crm_version + 1 when a
 * user-visible column changed, else unchanged; change_xid = this transaction.
 */
set local role crmsync_owner;

-- Every UPDATE moves change_xid (as every UPDATE moves updated_at), in the trigger that
-- already runs for each updated row.
create or replace function private.bump_crm_version()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if (new.owner_id, new.contact_id, new.title, new.description, new.location, new.start_time,
      new.end_time, new.all_day, new.time_zone, new.deleted_at)
     is distinct from
     (old.owner_id, old.contact_id, old.title, old.description, old.location, old.start_time,
      old.end_time, old.all_day, old.time_zone, old.deleted_at) then
    new.crm_version := old.crm_version + 1;
  else
    new.crm_version := old.crm_version;
  end if;
  new.change_xid := pg_catalog.pg_current_xact_id();
  return new;
end
$$;
revoke execute on function private.bump_crm_version() from public;
comment on function private.bump_crm_version() is
  'BEFORE UPDATE trigger on appointments: crm_version + 1 when a user-visible column changed, else unchanged; change_xid = this transaction.';
