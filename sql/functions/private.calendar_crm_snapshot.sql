/*
 * private.calendar_crm_snapshot.sql — The CRM side of a calendar conflict: the appointment's
 * synced fields as JSON.
 */
set local role crmsync_owner;

create or replace function private.calendar_crm_snapshot(p_appointment public.appointments)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'appointment_id', p_appointment.id,
    'title', p_appointment.title,
    'description', p_appointment.description,
    'location', p_appointment.location,
    'all_day', p_appointment.all_day,
    'start', p_appointment.start_time,
    'end', p_appointment.end_time,
    'time_zone', p_appointment.time_zone,
    'deleted', p_appointment.deleted_at is not null,
    'deleted_at', p_appointment.deleted_at,
    'updated_at', p_appointment.updated_at,
    'crm_version', p_appointment.crm_version)
$$;
comment on function private.calendar_crm_snapshot(public.appointments) is
  'The CRM side of a calendar conflict: the appointment''s synced fields as JSON.';
revoke execute on function private.calendar_crm_snapshot(public.appointments) from public;
grant execute on function private.calendar_crm_snapshot(public.appointments) to authenticated, crmsync_worker;
