/*
 * policies/calendar_sync_log.sql — sync runs.
 *
 * A member reads the runs of their own calendar accounts; owners/admins read all runs of the
 * active organization; super admins read all (private.readable_calendar_account_ids(), one
 * array, so a member's read probes the account's index). The worker logs (S/I/U) runs of its
 * account; nobody deletes history through the app.
 */
set local role crmsync_owner;

revoke all on table public.calendar_sync_log from public, authenticated, crmsync_worker;
grant select on table public.calendar_sync_log to authenticated;
grant select, insert, update on table public.calendar_sync_log to crmsync_worker;

drop policy if exists calendar_sync_log_authenticated_select on public.calendar_sync_log;
create policy calendar_sync_log_authenticated_select on public.calendar_sync_log
  for select to authenticated
  using (organization_id = any ((select private.readable_org_ids())::uuid[])
         and calendar_account_id = any ((select private.readable_calendar_account_ids())::uuid[]));

drop policy if exists calendar_sync_log_crmsync_worker_select on public.calendar_sync_log;
create policy calendar_sync_log_crmsync_worker_select on public.calendar_sync_log
  for select to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and calendar_account_id = any ((select private.my_calendar_account_ids())::uuid[]));

drop policy if exists calendar_sync_log_crmsync_worker_insert on public.calendar_sync_log;
create policy calendar_sync_log_crmsync_worker_insert on public.calendar_sync_log
  for insert to crmsync_worker
  with check (organization_id = (select private.current_org_id())
              and calendar_account_id = any ((select private.my_calendar_account_ids())::uuid[]));

drop policy if exists calendar_sync_log_crmsync_worker_update on public.calendar_sync_log;
create policy calendar_sync_log_crmsync_worker_update on public.calendar_sync_log
  for update to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and calendar_account_id = any ((select private.my_calendar_account_ids())::uuid[]))
  with check (organization_id = (select private.current_org_id())
              and calendar_account_id = any ((select private.my_calendar_account_ids())::uuid[]));

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists calendar_sync_log_crmsync_owner_all on public.calendar_sync_log;
create policy calendar_sync_log_crmsync_owner_all on public.calendar_sync_log
  for all to crmsync_owner
  using (true) with check (true);
