/*
 * policies/super_admins.sql — deliberately nothing.
 *
 * private.super_admins is read only by private.is_super_admin() (security definer) and written
 * only by the owner or a DBA. RLS is enabled and forced with no policy but the owner's; no role gets a grant.
 */
set local role crmsync_owner;

revoke all on table private.super_admins from public, authenticated, crmsync_worker;

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists super_admins_crmsync_owner_all on private.super_admins;
create policy super_admins_crmsync_owner_all on private.super_admins
  for all to crmsync_owner
  using (true) with check (true);
