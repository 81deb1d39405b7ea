/*
 * 310_owner_without_bypassrls.sql — crmsync_owner no longer bypasses row level security.
 *
 * Databases migrated before this file made crmsync_owner BYPASSRLS, which only a superuser can
 * grant, so crmsync could not be installed by the admin role of a managed platform (Supabase's
 * `postgres`, RDS's `rds_superuser`). Security definer functions now get past the forced
 * policies through one explicit policy `TO crmsync_owner` per table (policies/<table>.sql, run
 * after this file), so the attribute goes. Only a superuser can take it away: run by anyone
 * else, it stays (harmless: the owner's policies allow the same) and a notice says so.
 *
 * Safe on a fresh database (the role never had the attribute) and on an old one.
 */
do $$
begin
  if (select rolbypassrls from pg_catalog.pg_roles where rolname = 'crmsync_owner') then
    if (select rolsuper from pg_catalog.pg_roles where rolname = current_user) then
      alter role crmsync_owner nobypassrls;
    else
      raise notice 'crmsync_owner still has BYPASSRLS; a superuser may run "alter role crmsync_owner nobypassrls"';
    end if;
  end if;
  -- An old database migrated by a superuser, now migrated by the platform's admin: the admin
  -- acts as crmsync_owner in every repeatable file.
  if not (select rolsuper from pg_catalog.pg_roles where rolname = current_user)
     and not pg_catalog.pg_has_role(current_user, 'crmsync_owner', 'member') then
    execute format('grant crmsync_owner to %I', current_user);
  end if;
end
$$;
