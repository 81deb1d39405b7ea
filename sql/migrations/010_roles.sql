/*
 * 010_roles.sql — the roles of the identity contract, schema privileges, auth.uid().
 *
 * Runs as the connecting admin (a superuser). Roles are cluster-global, so each is created only
 * when missing (another database of the cluster may already have made it). Our own roles get
 * their attributes re-asserted on every run; `authenticated` (Supabase's role) is left as found.
 *
 *   crmsync_owner   NOLOGIN BYPASSRLS — owns every object; security definer functions run as it.
 *   authenticated   NOLOGIN — a person's request.
 *   crmsync_worker  NOLOGIN — background sync under the account owner's identity.
 *   crmsync_app     LOGIN, NOINHERIT, no special powers; member of authenticated and
 *                   crmsync_worker only so it can `set local role` to one of them per transaction.
 */
do $$
begin
  if not exists (select from pg_catalog.pg_roles where rolname = 'crmsync_owner') then
    create role crmsync_owner nologin bypassrls;
  end if;
  alter role crmsync_owner nologin bypassrls nosuperuser;

  if not exists (select from pg_catalog.pg_roles where rolname = 'authenticated') then
    create role authenticated nologin;
  end if;

  if not exists (select from pg_catalog.pg_roles where rolname = 'crmsync_worker') then
    create role crmsync_worker nologin;
  end if;
  alter role crmsync_worker nologin nosuperuser nobypassrls;

  if not exists (select from pg_catalog.pg_roles where rolname = 'crmsync_app') then
    create role crmsync_app login noinherit nosuperuser nobypassrls nocreatedb nocreaterole;
  end if;
  alter role crmsync_app login noinherit nosuperuser nobypassrls nocreatedb nocreaterole;

  if not pg_catalog.pg_has_role('crmsync_app', 'authenticated', 'member') then
    grant authenticated to crmsync_app;
  end if;
  if not pg_catalog.pg_has_role('crmsync_app', 'crmsync_worker', 'member') then
    grant crmsync_worker to crmsync_app;
  end if;
  -- A person's role must never reach the worker's grants (secret-reading functions).
  if exists (select from pg_catalog.pg_auth_members
             where roleid = 'crmsync_worker'::regrole and member = 'authenticated'::regrole) then
    revoke crmsync_worker from authenticated;
  end if;
end
$$;

-- Keep bind parameters (the secret key travels as one) out of the server log.
do $$
begin
  if (select rolsuper from pg_catalog.pg_roles where rolname = current_user) then
    alter role crmsync_app set log_parameter_max_length = 0;
  else
    raise notice 'not a superuser: skipped "alter role crmsync_app set log_parameter_max_length = 0"; a DBA must run it';
  end if;
  alter role crmsync_app set log_parameter_max_length_on_error = 0;
end
$$;

do $$
begin
  execute format('grant create, connect on database %I to crmsync_owner', current_database());
  execute format('grant connect on database %I to crmsync_app', current_database());
end
$$;

create schema if not exists private authorization crmsync_owner;
alter schema private owner to crmsync_owner;
comment on schema private is 'Helpers, shared triggers and tables no client reads directly (crmsync).';

grant usage, create on schema public to crmsync_owner;
grant usage on schema public, auth, private, extensions to crmsync_owner, authenticated, crmsync_worker;

-- Supabase ships auth.uid(); elsewhere create it with Supabase's exact definition.
do $$
begin
  if not exists (select from pg_catalog.pg_proc
                 where proname = 'uid' and pronamespace = 'auth'::regnamespace and pronargs = 0) then
    execute $f$
      create function auth.uid() returns uuid
      language sql stable
      as $body$
        select coalesce(
          nullif(current_setting('request.jwt.claim.sub', true), ''),
          (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
        )::uuid
      $body$
    $f$;
    execute $c$comment on function auth.uid() is 'The caller''s user id from the request.jwt claims (Supabase definition); null when no identity is set.'$c$;
  end if;
end
$$;
grant execute on function auth.uid() to authenticated, crmsync_worker;
