/*
 * policies/organizations.sql — who sees and changes an organization row.
 *
 * Members see their active organization; super admins see all; owners/admins rename it
 * (column grant: name only). The worker reads it. Nobody inserts or deletes through the app
 * (the admin CLI/seed does, as owner). Its id is the tenant key, so policies test id.
 */
set local role crmsync_owner;

revoke all on table public.organizations from public, authenticated, crmsync_worker;
grant select on table public.organizations to authenticated, crmsync_worker;
grant update (name) on table public.organizations to authenticated;

drop policy if exists organizations_authenticated_select on public.organizations;
create policy organizations_authenticated_select on public.organizations
  for select to authenticated
  using (id = any ((select private.readable_org_ids())::uuid[]));

drop policy if exists organizations_authenticated_update on public.organizations;
create policy organizations_authenticated_update on public.organizations
  for update to authenticated
  using (id = (select private.current_org_id()) and (select private.is_org_admin()))
  with check (id = (select private.current_org_id()) and (select private.is_org_admin()));

drop policy if exists organizations_crmsync_worker_select on public.organizations;
create policy organizations_crmsync_worker_select on public.organizations
  for select to crmsync_worker
  using (id = (select private.current_org_id()));

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists organizations_crmsync_owner_all on public.organizations;
create policy organizations_crmsync_owner_all on public.organizations
  for all to crmsync_owner
  using (true) with check (true);
