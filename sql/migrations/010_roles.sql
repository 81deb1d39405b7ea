/*
 * 010_roles.sql — the roles of the identity contract, schema privileges, auth.uid().
 *
 * Runs as the connecting admin, who need not be a superuser: a role with CREATEROLE is enough
 * (Supabase's `postgres`, a member of RDS's `rds_superuser` or Cloud SQL's
 * `cloudsqlsuperuser`). Roles are cluster-global, so each is created only when missing (another
 * database of the cluster may already have made it), and an existing role is altered only
 * where its attributes differ from what the contract needs. `authenticated` (Supabase's role)
 * is left as found. Nothing is granted that the admin could not grant: a privilege that is
 * missing and cannot be granted stops the migration with the statement its owner must run, so
 * PostgreSQL's "no privileges were granted" warning never stands in for a grant.
 *
 *   crmsync_owner   NOLOGIN — owns every object; security definer functions run as it. Not
 *                   BYPASSRLS (a non-superuser cannot create such a role): each table's policy
 *                   file gives it one explicit policy `TO crmsync_owner`, which the audit accepts.
 *   authenticated   NOLOGIN — a person's request.
 *   crmsync_worker  NOLOGIN — background sync under the account owner's identity.
 *   crmsync_app     LOGIN, NOINHERIT, no special powers; member of authenticated and
 *                   crmsync_worker only so it can `set local role` to one of them per transaction.
 *
 * The admin becomes a member of crmsync_owner (unless it is a superuser) so that every later
 * file can `set local role crmsync_owner`.
 */
do $$
declare
  me     name    := current_user;
  super  boolean := (select rolsuper from pg_catalog.pg_roles where rolname = current_user);
  r      record;
begin
  if not super and not (select rolcreaterole from pg_catalog.pg_roles where rolname = current_user)
     and (to_regrole('crmsync_owner') is null or to_regrole('crmsync_worker') is null
          or to_regrole('crmsync_app') is null or to_regrole('authenticated') is null) then
    raise exception 'crmsync migrate: role % lacks CREATEROLE, needed to create crmsync_owner, crmsync_worker, crmsync_app and authenticated', me
      using hint = 'Run migrate as the platform''s admin role (Supabase: postgres; RDS: the master user; Cloud SQL: a cloudsqlsuperuser member), or have a DBA create those roles first (docs/deployment.md).';
  end if;

  if to_regrole('crmsync_owner') is null then
    create role crmsync_owner nologin;
  end if;
  if to_regrole('authenticated') is null then
    create role authenticated nologin;
  end if;
  if to_regrole('crmsync_worker') is null then
    create role crmsync_worker nologin;
  end if;
  if to_regrole('crmsync_app') is null then
    create role crmsync_app login noinherit;
  end if;

  -- What each of our roles must not be. Only a superuser may take SUPERUSER or BYPASSRLS
  -- away, so elsewhere such a role is refused rather than trusted.
  for r in select rolname, rolsuper, rolbypassrls, rolcanlogin, rolinherit, rolcreatedb, rolcreaterole
             from pg_catalog.pg_roles where rolname in ('crmsync_owner', 'crmsync_worker', 'crmsync_app') loop
    if r.rolsuper or (r.rolbypassrls and r.rolname <> 'crmsync_owner') then
      if not super then
        raise exception 'crmsync migrate: role % is %, and only a superuser can take that away', r.rolname,
          case when r.rolsuper then 'SUPERUSER' else 'BYPASSRLS' end
          using hint = format('A superuser must run: alter role %I nosuperuser nobypassrls', r.rolname);
      end if;
      execute format('alter role %I nosuperuser nobypassrls', r.rolname);
    end if;
    if r.rolname <> 'crmsync_app' and r.rolcanlogin then
      execute format('alter role %I nologin', r.rolname);
    end if;
    if r.rolname = 'crmsync_app' and (not r.rolcanlogin or r.rolinherit or r.rolcreatedb or r.rolcreaterole) then
      alter role crmsync_app login noinherit nocreatedb nocreaterole;
    end if;
  end loop;

  -- The admin acts as crmsync_owner in every later file (`set local role`). PostgreSQL 15 lets
  -- a CREATEROLE role grant that; from 16 on the creator holds ADMIN OPTION on what it created.
  if not super and not pg_catalog.pg_has_role(me, 'crmsync_owner', 'member') then
    begin
      execute format('grant crmsync_owner to %I', me);
    exception when insufficient_privilege then
      raise exception 'crmsync migrate: % cannot make itself a member of crmsync_owner (it needs CREATEROLE on PostgreSQL 15, ADMIN OPTION on crmsync_owner from 16 on)', me
        using hint = format('A role holding ADMIN OPTION on crmsync_owner must run: grant crmsync_owner to %I', me);
    end;
  end if;

  for r in select * from (values ('authenticated'), ('crmsync_worker')) v (role) loop
    if not pg_catalog.pg_has_role('crmsync_app', r.role, 'member') then
      begin
        execute format('grant %I to crmsync_app', r.role);
      exception when insufficient_privilege then
        raise exception 'crmsync migrate: % cannot grant role % to crmsync_app (it needs CREATEROLE on PostgreSQL 15, ADMIN OPTION on % from 16 on)', me, r.role, r.role
          using hint = format('A role holding ADMIN OPTION on %I must run: grant %I to crmsync_app', r.role, r.role);
      end;
    end if;
  end loop;
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
  if not exists (select from pg_catalog.pg_db_role_setting s
                  where s.setrole = 'crmsync_app'::regrole and s.setdatabase = 0
                    and 'log_parameter_max_length_on_error=0' = any (s.setconfig)) then
    alter role crmsync_app set log_parameter_max_length_on_error = 0;
  end if;
end
$$;

-- Grants on objects the admin may not own (Supabase's `auth`, the database, `public`): given
-- where the admin holds them with GRANT OPTION; where it does not, a privilege the role already
-- has (through PUBLIC, say) is enough, and a missing one stops the migration by name.
create or replace function pg_temp.crmsync_grant(privilege text, kind text, object text, grantee name)
returns void language plpgsql as $$
declare
  holds   boolean;
  grantable boolean;
  target  text := case kind when 'function' then object else quote_ident(object) end;
begin
  execute format('select has_%s_privilege($1, $2, $3), has_%s_privilege(current_user, $2, $4)', kind, kind)
     into holds, grantable
    using grantee, object, privilege, privilege || ' WITH GRANT OPTION';
  if grantable then
    execute format('grant %s on %s %s to %I', privilege, kind, target, grantee);
  elsif not holds then
    raise exception 'crmsync migrate: role % lacks % on % %, and % cannot grant it', grantee, privilege, kind, object, current_user
      using hint = format('The owner of %s %s must run: grant %s on %s %s to %I', kind, object, privilege, kind, target, grantee);
  end if;
end
$$;

select pg_temp.crmsync_grant('CONNECT', 'database', current_database(), 'crmsync_app');

create schema if not exists private authorization crmsync_owner;
alter schema private owner to crmsync_owner;
comment on schema private is 'Helpers, shared triggers and tables no client reads directly (crmsync).';

select pg_temp.crmsync_grant('CREATE', 'schema', 'public', 'crmsync_owner');
select pg_temp.crmsync_grant('USAGE', 'schema', s, r)
  from unnest(array['public', 'auth', 'private', 'extensions']) s,
       unnest(array['crmsync_owner', 'authenticated', 'crmsync_worker']::name[]) r;

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
select pg_temp.crmsync_grant('EXECUTE', 'function', 'auth.uid()', r)
  from unnest(array['authenticated', 'crmsync_worker']::name[]) r;
drop function pg_temp.crmsync_grant(text, text, text, name);
