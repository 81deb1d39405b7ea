/*
 * policies/super_admins.sql — deliberately nothing.
 *
 * private.super_admins is read only by private.is_super_admin() (security definer) and written
 * only by the owner or a DBA. RLS is enabled and forced with no policy; no role gets a grant.
 */
revoke all on table private.super_admins from public, authenticated, crmsync_worker;
