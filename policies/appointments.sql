/*
 * policies/appointments.sql — the organization's appointments.
 *
 * Members see and change every appointment of the active organization (super admins: read
 * all). The worker reads, creates and updates them. Deleting is a soft delete (deleted_at) for
 * everyone: a hard delete would take the calendar mappings with it, and the sync could never
 * delete the event at the provider.
 */
set local role crmsync_owner;

revoke all on table public.appointments from public, authenticated, crmsync_worker;
grant select, insert, update on table public.appointments to authenticated;
grant select, insert, update on table public.appointments to crmsync_worker;

drop policy if exists appointments_authenticated_select on public.appointments;
create policy appointments_authenticated_select on public.appointments
  for select to authenticated
  using (organization_id = any ((select private.readable_org_ids())::uuid[]));

drop policy if exists appointments_authenticated_insert on public.appointments;
create policy appointments_authenticated_insert on public.appointments
  for insert to authenticated
  with check (organization_id = (select private.current_org_id()));

drop policy if exists appointments_authenticated_update on public.appointments;
create policy appointments_authenticated_update on public.appointments
  for update to authenticated
  using (organization_id = (select private.current_org_id()))
  with check (organization_id = (select private.current_org_id()));

drop policy if exists appointments_authenticated_delete on public.appointments;

drop policy if exists appointments_crmsync_worker_select on public.appointments;
create policy appointments_crmsync_worker_select on public.appointments
  for select to crmsync_worker
  using (organization_id = (select private.current_org_id()));

drop policy if exists appointments_crmsync_worker_insert on public.appointments;
create policy appointments_crmsync_worker_insert on public.appointments
  for insert to crmsync_worker
  with check (organization_id = (select private.current_org_id()));

drop policy if exists appointments_crmsync_worker_update on public.appointments;
create policy appointments_crmsync_worker_update on public.appointments
  for update to crmsync_worker
  using (organization_id = (select private.current_org_id()))
  with check (organization_id = (select private.current_org_id()));

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists appointments_crmsync_owner_all on public.appointments;
create policy appointments_crmsync_owner_all on public.appointments
  for all to crmsync_owner
  using (true) with check (true);
