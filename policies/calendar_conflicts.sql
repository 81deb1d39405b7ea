/*
 * policies/calendar_conflicts.sql — conflicts between the CRM and calendar versions of an
 * appointment (strategy 'manual').
 *
 * A member reads the conflicts of their own calendar accounts; owners/admins read the active
 * organization's; super admins read all. People change conflicts only through
 * public.resolve_calendar_conflict() (security definer): no INSERT/UPDATE/DELETE grant. The
 * worker reads, records and refreshes (S/I/U) the conflicts of the account it syncs; nobody
 * deletes them through the app (they go with their account, mapping or appointment).
 */
set local role crmsync_owner;

revoke all on table public.calendar_conflicts from public, authenticated, crmsync_worker;
grant select on table public.calendar_conflicts to authenticated, crmsync_worker;
grant insert (organization_id, calendar_account_id, mapping_id, appointment_id, crm_version, crm_snapshot,
              remote_snapshot, remote_etag, detected_at)
  on table public.calendar_conflicts to crmsync_worker;
grant update (crm_version, crm_snapshot, remote_snapshot, remote_etag, detected_at, resolved_at, resolution,
              resolved_by)
  on table public.calendar_conflicts to crmsync_worker;

drop policy if exists calendar_conflicts_authenticated_select on public.calendar_conflicts;
create policy calendar_conflicts_authenticated_select on public.calendar_conflicts
  for select to authenticated
  using (organization_id = any ((select private.readable_org_ids())::uuid[])
         and (calendar_account_id = any ((select private.my_calendar_account_ids())::uuid[])
              or (select private.reads_whole_organization())));

drop policy if exists calendar_conflicts_crmsync_worker_select on public.calendar_conflicts;
create policy calendar_conflicts_crmsync_worker_select on public.calendar_conflicts
  for select to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and calendar_account_id = any ((select private.my_calendar_account_ids())::uuid[]));

drop policy if exists calendar_conflicts_crmsync_worker_insert on public.calendar_conflicts;
create policy calendar_conflicts_crmsync_worker_insert on public.calendar_conflicts
  for insert to crmsync_worker
  with check (organization_id = (select private.current_org_id())
              and calendar_account_id = any ((select private.my_calendar_account_ids())::uuid[])
              -- the mapping is this account's, for this appointment (else resolving the conflict
              -- would rewrite another member's mapping)
              and exists (select 1 from public.calendar_event_mappings m
                           where m.organization_id = calendar_conflicts.organization_id
                             and m.id = calendar_conflicts.mapping_id
                             and m.calendar_account_id = calendar_conflicts.calendar_account_id
                             and m.appointment_id = calendar_conflicts.appointment_id));

drop policy if exists calendar_conflicts_crmsync_worker_update on public.calendar_conflicts;
create policy calendar_conflicts_crmsync_worker_update on public.calendar_conflicts
  for update to crmsync_worker
  using (organization_id = (select private.current_org_id())
         and calendar_account_id = any ((select private.my_calendar_account_ids())::uuid[]))
  with check (organization_id = (select private.current_org_id())
              and calendar_account_id = any ((select private.my_calendar_account_ids())::uuid[])
              and exists (select 1 from public.calendar_event_mappings m
                           where m.organization_id = calendar_conflicts.organization_id
                             and m.id = calendar_conflicts.mapping_id
                             and m.calendar_account_id = calendar_conflicts.calendar_account_id
                             and m.appointment_id = calendar_conflicts.appointment_id));

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists calendar_conflicts_crmsync_owner_all on public.calendar_conflicts;
create policy calendar_conflicts_crmsync_owner_all on public.calendar_conflicts
  for all to crmsync_owner
  using (true) with check (true);
