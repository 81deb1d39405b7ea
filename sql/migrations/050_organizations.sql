/*
 * 050_organizations.sql — the tenants. Its id is the tenant key every other table carries.
 *
 * First, the CRM's own tables. A database that already holds `organizations`,
 * `user_organizations` or `appointments` (a Supabase CRM has all three) keeps them: a
 * compatible table is adopted (ownership passes to crmsync_owner, missing optional columns are
 * added, 060/070 then enable and force row level security), an incompatible one stops the
 * migration with one line naming what does not fit. Nothing is dropped, retyped or rewritten.
 * docs/deployment.md ("Existing CRM tables") lists what crmsync expects of them.
 */
do $$
declare
  owner_oid oid := 'crmsync_owner'::regrole;
  -- (table, column, type, not null, how to add it when missing; null = must already exist)
  expected constant text[][] := array[
    ['organizations', 'id', 'uuid', 't', null],
    ['organizations', 'name', 'text', 't', null],
    ['organizations', 'created_at', 'timestamp with time zone', 't', 'timestamptz not null default now()'],
    ['organizations', 'updated_at', 'timestamp with time zone', 't', 'timestamptz not null default now()'],
    ['user_organizations', 'organization_id', 'uuid', 't', null],
    ['user_organizations', 'user_id', 'uuid', 't', null],
    ['user_organizations', 'role', 'text', 't', null],
    ['user_organizations', 'created_at', 'timestamp with time zone', 't', 'timestamptz not null default now()'],
    ['user_organizations', 'updated_at', 'timestamp with time zone', 't', 'timestamptz not null default now()'],
    ['appointments', 'id', 'uuid', 't', null],
    ['appointments', 'organization_id', 'uuid', 't', null],
    ['appointments', 'owner_id', 'uuid', 't', null],
    ['appointments', 'contact_id', 'uuid', 'f', 'uuid'],
    ['appointments', 'title', 'text', 't', null],
    ['appointments', 'description', 'text', 'f', 'text'],
    ['appointments', 'location', 'text', 'f', 'text'],
    ['appointments', 'start_time', 'timestamp with time zone', 't', null],
    ['appointments', 'end_time', 'timestamp with time zone', 't', null],
    ['appointments', 'all_day', 'boolean', 't', 'boolean not null default false'],
    ['appointments', 'time_zone', 'text', 't', 'text not null default ''UTC'''],
    ['appointments', 'created_at', 'timestamp with time zone', 't', 'timestamptz not null default now()'],
    ['appointments', 'updated_at', 'timestamp with time zone', 't', 'timestamptz not null default now()'],
    ['appointments', 'deleted_at', 'timestamp with time zone', 'f', 'timestamptz'],
    ['appointments', 'crm_version', 'bigint', 't', 'bigint not null default 1 check (crm_version >= 1)'],
    ['appointments', 'change_xid', 'xid8', 'f', 'xid8']];
  keys constant text[][] := array[
    ['organizations', 'id'], ['user_organizations', 'organization_id, user_id'], ['appointments', 'organization_id, id']];
  known text[] := (select array_agg(expected[i][1] || '.' || expected[i][2]) from generate_subscripts(expected, 1) i);
  t text; rel regclass; problems text[]; a record; key text; i int; owner_name name; odd_roles boolean;
begin
  foreach t in array array['organizations', 'user_organizations', 'appointments'] loop
    rel := to_regclass('public.' || t);
    continue when rel is null;
    continue when (select relowner from pg_catalog.pg_class where oid = rel) = owner_oid;
    problems := '{}';
    for i in 1 .. array_length(expected, 1) loop
      continue when expected[i][1] <> t;
      select pg_catalog.format_type(atttypid, atttypmod) as type, attnotnull into a
        from pg_catalog.pg_attribute where attrelid = rel and attname = expected[i][2] and attnum > 0 and not attisdropped;
      if not found then
        if expected[i][5] is null then problems := problems || format('%s missing', expected[i][2]); end if;
      elsif a.type <> expected[i][3] then
        problems := problems || format('%s is %s (crmsync needs %s)', expected[i][2], a.type, expected[i][3]);
      elsif expected[i][4] = 't' and not a.attnotnull then
        problems := problems || format('%s is nullable (crmsync needs not null)', expected[i][2]);
      end if;
    end loop;
    -- crmsync inserts rows (imported appointments, new memberships) naming only its columns.
    for a in select attname from pg_catalog.pg_attribute
              where attrelid = rel and attnum > 0 and not attisdropped and attnotnull and not atthasdef
                and attidentity = '' and attgenerated = ''
                and (t || '.' || attname) <> all (known) loop
      problems := problems || format('%s is not null without a default (crmsync inserts rows without it)', a.attname);
    end loop;
    select string_agg(att.attname, ', ' order by k.n) into key
      from pg_catalog.pg_constraint con
     cross join lateral unnest(con.conkey) with ordinality k (attnum, n)
      join pg_catalog.pg_attribute att on att.attrelid = rel and att.attnum = k.attnum
     where con.conrelid = rel and con.contype = 'p';
    for i in 1 .. array_length(keys, 1) loop
      if keys[i][1] = t and key is distinct from keys[i][2] then
        problems := problems || format('primary key is %s (crmsync needs (%s))', coalesce('(' || key || ')', 'missing'), keys[i][2]);
      end if;
    end loop;
    if t = 'user_organizations'
       and exists (select from pg_catalog.pg_attribute where attrelid = rel and attname = 'role' and atttypid = 'text'::regtype) then
      execute $q$select exists (select from public.user_organizations where role not in ('owner', 'admin', 'member'))$q$ into odd_roles;
      if odd_roles then
        problems := problems || 'role holds values other than owner, admin and member'::text;
      end if;
    end if;
    for a in select pol.polname from pg_catalog.pg_policy pol
              where pol.polrelid = rel
                and pol.polname !~ ('^' || t || '_(authenticated|crmsync_worker|crmsync_owner)_') loop
      problems := problems || format('policy %s is not crmsync''s (permissive policies add up, so it could widen tenant access)', a.polname);
    end loop;
    if cardinality(problems) > 0 then
      raise exception 'public.% exists and is not compatible with crmsync: %', t, array_to_string(problems, '; ')
        using hint = 'Nothing was changed. docs/deployment.md ("Existing CRM tables") lists what crmsync expects.';
    end if;
    owner_name := (select pg_catalog.pg_get_userbyid(relowner) from pg_catalog.pg_class where oid = rel);
    if not pg_catalog.pg_has_role(current_user, owner_name, 'member') then
      raise exception 'public.% is owned by %: run crmsync migrate as that role (or a member of it) to adopt the table', t, owner_name;
    end if;
    execute format('alter table public.%I owner to crmsync_owner', t);
    for i in 1 .. array_length(expected, 1) loop
      if expected[i][1] = t and expected[i][5] is not null then
        execute format('alter table public.%I add column if not exists %I %s', t, expected[i][2], expected[i][5]);
      end if;
    end loop;
    raise notice 'adopted the existing table public.% (owner was %)', t, owner_name;
  end loop;
end
$$;

set local role crmsync_owner;

create table if not exists public.organizations (
  id         uuid primary key default extensions.gen_random_uuid(),
  name       text not null check (length(btrim(name)) > 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.organizations is 'Tenants of crmsync; every tenant row carries organization_id = organizations.id.';

alter table public.organizations enable row level security;
alter table public.organizations force row level security;
