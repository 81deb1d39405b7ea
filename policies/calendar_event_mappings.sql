/*
 * policies/calendar_event_mappings.sql — appointment <-> provider event links.
 *
 * A member reads the mappings of their own calendar accounts (super admins: all); the worker
 * reads and writes the mappings of the account it syncs.
 */
set local role crmsync_owner;

revoke all on table public.calendar_event_mappings from public, authenticated, crmsync_worker;
grant select on table public.calendar_event_mappings to authenticated;
grant select, insert, update, delete on table public.calendar_event_mappings to crmsync_worker;

drop policy if exists calendar_event_mappings_authenticated_select on public.calendar_event_mappings;
create policy calendar_event_mappings_authenticated_select on public.calendar_event_mappings
  for select to authenticated
  using (organization_id = any ((select private.readable_org_ids())::uuid[])
         and (calendar_account_id = any ((select private.my_calendar_account_ids())::uuid[])
              or (select private.is_super_admin())));

drop policy if exists calendar_event_mappings_crmsync_worker_select on public.calendar_event_mappings;
create policy calendar_event_mappings_crmsync_worker_select on public.calendar_event_mappings
  for select to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and calendar_account_id = any ((select private.my_calendar_account_ids())::uuid[]));

drop policy if exists calendar_event_mappings_crmsync_worker_insert on public.calendar_event_mappings;
create policy calendar_event_mappings_crmsync_worker_insert on public.calendar_event_mappings
  for insert to crmsync_worker
  with check (organization_id = (select private.current_org_id())
              and calendar_account_id = any ((select private.my_calendar_account_ids())::uuid[]));

drop policy if exists calendar_event_mappings_crmsync_worker_update on public.calendar_event_mappings;
create policy calendar_event_mappings_crmsync_worker_update on public.calendar_event_mappings
  for update to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and calendar_account_id = any ((select private.my_calendar_account_ids())::uuid[]))
  with check (organization_id = (select private.current_org_id())
              and calendar_account_id = any ((select private.my_calendar_account_ids())::uuid[]));

drop policy if exists calendar_event_mappings_crmsync_worker_delete on public.calendar_event_mappings;
create policy calendar_event_mappings_crmsync_worker_delete on public.calendar_event_mappings
  for delete to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and calendar_account_id = any ((select private.my_calendar_account_ids())::uuid[]));

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists calendar_event_mappings_crmsync_owner_all on public.calendar_event_mappings;
create policy calendar_event_mappings_crmsync_owner_all on public.calendar_event_mappings
  for all to crmsync_owner
  using (true) with check (true);
