/*
 * 000_extensions.sql — schemas and extensions the rulebook builds on.
 *
 * Runs as the connecting admin, who need not be a superuser (Supabase's `postgres`, RDS's
 * `rds_superuser` member): pgcrypto is a trusted extension, so CREATE on the database is
 * enough. pgcrypto lives in schema `extensions` (as on Supabase) and every call is
 * schema-qualified (extensions.digest, …), so no search_path is ever trusted. Schema `auth`
 * holds auth.uid() (created in 010 only where Supabase has not shipped its own). Schema
 * `private` is created in 010, once its owner exists.
 *
 * Schemas that already exist belong to the platform (Supabase owns `extensions` and `auth`):
 * they are neither altered nor commented on.
 */
do $$
begin
  if to_regnamespace('extensions') is null then
    create schema extensions;
    comment on schema extensions is 'Extensions (pgcrypto); referenced schema-qualified everywhere.';
  end if;
  if to_regnamespace('auth') is null then
    create schema auth;
    comment on schema auth is 'Supabase-compatible identity: auth.uid() reads the request.jwt claims.';
  end if;
end
$$;

do $$
declare
  installed text := (select n.nspname from pg_catalog.pg_extension e
                       join pg_catalog.pg_namespace n on n.oid = e.extnamespace
                      where e.extname = 'pgcrypto');
begin
  if installed is null then
    create extension pgcrypto with schema extensions;
  elsif installed <> 'extensions' then
    raise exception 'pgcrypto is installed in schema %, crmsync calls it as extensions.*: run "alter extension pgcrypto set schema extensions" (as its owner) and migrate again', installed;
  end if;
end
$$;
