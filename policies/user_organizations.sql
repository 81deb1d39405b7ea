/*
 * policies/user_organizations.sql — memberships.
 *
 * Members see the memberships of their active organization (super admins: all). Owners and
 * admins add, change (role only) and remove members of the active organization; only an owner
 * may create, modify or delete an owner row (an admin can neither promote to owner nor touch
 * an owner). The worker needs no access (the helpers read memberships as the owner).
 */
set local role crmsync_owner;

revoke all on table public.user_organizations from public, authenticated, crmsync_worker;
grant select, delete on table public.user_organizations to authenticated;
grant insert (organization_id, user_id, role) on table public.user_organizations to authenticated;
grant update (role) on table public.user_organizations to authenticated;

drop policy if exists user_organizations_authenticated_select on public.user_organizations;
create policy user_organizations_authenticated_select on public.user_organizations
  for select to authenticated
  using (organization_id = any ((select private.readable_org_ids())::uuid[]));

drop policy if exists user_organizations_authenticated_insert on public.user_organizations;
create policy user_organizations_authenticated_insert on public.user_organizations
  for insert to authenticated
  with check (organization_id = (select private.current_org_id())
              and (select private.is_org_admin())
              and (role <> 'owner' or (select private.current_org_role()) = 'owner'));

drop policy if exists user_organizations_authenticated_update on public.user_organizations;
create policy user_organizations_authenticated_update on public.user_organizations
  for update to authenticated
  using (organization_id = (select private.current_org_id())
         and (select private.is_org_admin())
         and (role <> 'owner' or (select private.current_org_role()) = 'owner'))
  with check (organization_id = (select private.current_org_id())
              and (select private.is_org_admin())
              and (role <> 'owner' or (select private.current_org_role()) = 'owner'));

drop policy if exists user_organizations_authenticated_delete on public.user_organizations;
create policy user_organizations_authenticated_delete on public.user_organizations
  for delete to authenticated
  using (organization_id = (select private.current_org_id())
         and (select private.is_org_admin())
         and (role <> 'owner' or (select private.current_org_role()) = 'owner'));

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists user_organizations_crmsync_owner_all on public.user_organizations;
create policy user_organizations_crmsync_owner_all on public.user_organizations
  for all to crmsync_owner
  using (true) with check (true);
