/*
 * private.calendar_mark_reassigned.sql — AFTER UPDATE trigger on appointments, when owner_id
 * changes: the mappings of the appointment in the calendar accounts of other users than the
 * new owner become 'pending', so that their next export (which reads only its user's
 * appointments, and the account's mappings not in sync) deletes the event it no longer owns.
 *
 * Security definer: the person who reassigns may not write other users' mappings; it touches
 * only the mappings of the row being updated, in its organization. Mappings already deleted at
 * the provider, or in 'conflict' or 'error' (not in sync anyway), are left as they are.
 */
set local role crmsync_owner;

create or replace function private.calendar_mark_reassigned()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.calendar_event_mappings m
     set sync_status = 'pending'
    from public.calendar_accounts c
   where m.organization_id = new.organization_id
     and m.appointment_id = new.id
     and m.sync_status = 'synced'
     and not m.remote_deleted
     and c.organization_id = m.organization_id
     and c.id = m.calendar_account_id
     and c.user_id <> new.owner_id;
  return null;
end
$$;
comment on function private.calendar_mark_reassigned() is
  'AFTER UPDATE OF owner_id trigger on appointments: the appointment''s synced mappings in other users'' calendar accounts become pending, so their export deletes the event.';
revoke execute on function private.calendar_mark_reassigned() from public;
