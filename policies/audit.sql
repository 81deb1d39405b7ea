/*
 * policies/audit.sql — the policy audit: ONE read-only query, not a migration.
 *
 * Paste it into psql, or run `crmsync audit` (which fails when any `problem` is not null).
 * One row per table/view of schema public (item 'table' or 'view'), per policy ('policy'), per
 * grant ('grant': table-level, or column-level with the column list in `expression`), and per
 * security definer function in public/private/auth ('function', table_name null), and per
 * primary, unique and foreign key of a tenant table (organization_id not null) ('key'): each
 * must include organization_id, so the tables can be distributed by organization (Citus,
 * docs/sharding.md). Tables whose organization_id may be null also hold platform rows
 * (audit_log, oauth_secrets): reference or coordinator tables there, not distributed.
 * Objects that belong to extensions are skipped; an owner's implicit rights are not grants and
 * are skipped.
 *
 * Only crmsync's own objects are audited: relations and security definer functions owned by
 * crmsync_owner. Another application's tables in the same schema (a Supabase app's `profiles`,
 * say) are not crmsync's to judge. crmsync_owner is not BYPASSRLS: a policy that applies to it
 * alone is how its definer functions pass forced RLS, and is accepted; any other policy must
 * constrain the tenant key.
 */
with known_roles (rolname) as (
  values ('crmsync_owner'), ('authenticated'), ('crmsync_worker')
),
rels as (
  select c.oid, c.relname::text as table_name, c.relkind, c.relowner, c.relacl, c.reloptions,
         c.relrowsecurity, c.relforcerowsecurity
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
   where n.nspname = 'public'
     and c.relowner = (select oid from pg_catalog.pg_roles where rolname = 'crmsync_owner')
     and c.relkind in ('r', 'p', 'v', 'm', 'f')
     and not exists (select 1 from pg_catalog.pg_depend d
                      where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
),
table_rows as (
  select r.table_name,
         case when r.relkind in ('r', 'p') then r.relrowsecurity end as rls_enabled,
         case when r.relkind in ('r', 'p') then r.relforcerowsecurity end as rls_forced,
         case when r.relkind in ('r', 'p', 'f') then 'table' else 'view' end as item,
         null::text as name, null::text as command, null::text as roles, null::text as expression,
         nullif(concat_ws('; ',
           case when r.relkind in ('r', 'p', 'f') and not (r.relrowsecurity and r.relforcerowsecurity)
                then 'row level security is not enabled and forced' end,
           case when r.relkind in ('r', 'p', 'f') and r.table_name <> 'organizations'
                 and not exists (select 1 from pg_catalog.pg_attribute a
                                  where a.attrelid = r.oid and a.attname = 'organization_id' and not a.attisdropped)
                then 'table has no organization_id column' end,
           case when r.relkind = 'v'
                 and not exists (select 1 from pg_catalog.pg_options_to_table(r.reloptions) o
                                  where o.option_name = 'security_invoker'
                                    and lower(o.option_value) in ('true', 'on', '1', 'yes'))
                then 'view does not run with security_invoker = true, so it bypasses the policies of its tables' end,
           case when r.relkind = 'm'
                then 'materialized view: row level security cannot apply to it' end
         ), '') as problem
    from rels r
),
policy_rows as (
  select r.table_name, r.relrowsecurity as rls_enabled, r.relforcerowsecurity as rls_forced,
         'policy'::text as item,
         p.polname::text as name,
         case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE'
                       when 'd' then 'DELETE' else 'ALL' end as command,
         (select string_agg(case when x.oid = 0 then 'PUBLIC' else pg_catalog.pg_get_userbyid(x.oid)::text end,
                            ', ' order by 1)
            from unnest(p.polroles) as x (oid)) as roles,
         concat_ws(' / ',
           'using: ' || pg_catalog.pg_get_expr(p.polqual, p.polrelid),
           'with check: ' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)) as expression,
         nullif(concat_ws('; ',
           case when 0::oid = any (p.polroles) then 'policy applies to PUBLIC' end,
           case when p.polroles = array[(select oid from pg_catalog.pg_roles where rolname = 'crmsync_owner')]
                then null
                when coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '')
                     || ' ' || coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '') !~ '(current_org_id|readable_org_ids)'
                  or (r.table_name <> 'organizations'
                      and coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), '')
                          || ' ' || coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), '') !~ 'organization_id')
                then 'policy does not constrain ' || case when r.table_name = 'organizations' then 'id' else 'organization_id' end
                     || ' via private.current_org_id() / private.readable_org_ids()' end
         ), '') as problem
    from pg_catalog.pg_policy p
    join rels r on r.oid = p.polrelid
),
grants as (
  -- table-level privileges
  select r.table_name, r.relrowsecurity, r.relforcerowsecurity, a.grantee, a.privilege_type,
         null::text as columns,
         exists (select 1 from pg_catalog.pg_attribute att
                  where att.attrelid = r.oid and att.attnum > 0 and not att.attisdropped
                    and att.attname like '%\_encrypted') as touches_encrypted
    from rels r
   cross join lateral pg_catalog.aclexplode(r.relacl) a
   where a.grantee <> r.relowner
  union all
  -- column-level privileges, one row per grantee and privilege
  select r.table_name, r.relrowsecurity, r.relforcerowsecurity, a.grantee, a.privilege_type,
         string_agg(att.attname::text, ', ' order by att.attnum),
         bool_or(att.attname like '%\_encrypted')
    from rels r
    join pg_catalog.pg_attribute att
      on att.attrelid = r.oid and att.attnum > 0 and not att.attisdropped and att.attacl is not null
   cross join lateral pg_catalog.aclexplode(att.attacl) a
   where a.grantee <> r.relowner
   group by r.table_name, r.relrowsecurity, r.relforcerowsecurity, a.grantee, a.privilege_type
),
grant_rows as (
  select g.table_name,
         case when r.relkind in ('r', 'p') then g.relrowsecurity end as rls_enabled,
         case when r.relkind in ('r', 'p') then g.relforcerowsecurity end as rls_forced,
         'grant'::text as item,
         gr.name,
         g.privilege_type::text as command,
         null::text as roles,
         g.columns as expression,
         nullif(concat_ws('; ',
           case when g.grantee = 0 then 'granted to PUBLIC' end,
           case when g.grantee <> 0 and gr.name not in (select k.rolname from known_roles k)
                then 'granted to a role other than crmsync_owner, authenticated or crmsync_worker' end,
           case when g.privilege_type in ('TRUNCATE', 'REFERENCES', 'TRIGGER') and gr.name <> 'crmsync_owner'
                then g.privilege_type || ' must not be granted to a non-owner' end,
           case when g.table_name = 'oauth_secrets' and gr.name <> 'crmsync_owner'
                then 'oauth_secrets must not be granted to anyone: it is read only through functions' end,
           case when g.table_name = 'audit_log' and g.privilege_type in ('INSERT', 'UPDATE', 'DELETE')
                 and gr.name <> 'crmsync_owner'
                then 'audit_log is append-only: no role may be granted ' || g.privilege_type end,
           case when g.touches_encrypted and g.privilege_type in ('SELECT', 'INSERT', 'UPDATE')
                 and gr.name <> 'crmsync_owner'
                then 'grants ' || g.privilege_type || ' on a ciphertext (*_encrypted) column to a non-owner' end
         ), '') as problem
    from grants g
    join rels r on r.table_name = g.table_name
   cross join lateral (select case when g.grantee = 0 then 'PUBLIC'
                                   else pg_catalog.pg_get_userbyid(g.grantee)::text end as name) gr
),
key_rows as (
  select r.table_name, null::boolean as rls_enabled, null::boolean as rls_forced, 'key'::text as item,
         k.name, k.kind as command, null::text as roles, k.definition as expression,
         case when not (org.attnum = any (k.columns))
              then k.kind || ' without organization_id: the table could not be distributed by organization' end as problem
    from rels r
    join pg_catalog.pg_attribute org on org.attrelid = r.oid and org.attname = 'organization_id' and not org.attisdropped
                                    and org.attnotnull
   cross join lateral (
          select con.conname::text as name,
                 case con.contype when 'p' then 'primary key' when 'u' then 'unique' else 'foreign key' end as kind,
                 pg_catalog.pg_get_constraintdef(con.oid) as definition, con.conkey as columns
            from pg_catalog.pg_constraint con
           where con.conrelid = r.oid and con.contype in ('p', 'u', 'f')
          union all
          select i.indexrelid::regclass::text, 'unique index', pg_catalog.pg_get_indexdef(i.indexrelid),
                 i.indkey::int2[]
            from pg_catalog.pg_index i
           where i.indrelid = r.oid and i.indisunique
             and not exists (select 1 from pg_catalog.pg_constraint con where con.conindid = i.indexrelid)
        ) k
   where r.relkind in ('r', 'p')
),
function_rows as (
  select null::text as table_name, null::boolean as rls_enabled, null::boolean as rls_forced,
         'function'::text as item,
         n.nspname || '.' || p.proname || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')' as name,
         'EXECUTE'::text as command,
         (select string_agg(case when a.grantee = 0 then 'PUBLIC' else pg_catalog.pg_get_userbyid(a.grantee)::text end,
                            ', ' order by 1)
            from pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
           where a.privilege_type = 'EXECUTE') as roles,
         'security definer, owner ' || pg_catalog.pg_get_userbyid(p.proowner)
           || coalesce(', ' || array_to_string(p.proconfig, ', '), '') as expression,
         nullif(concat_ws('; ',
           case when not exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%')
                then 'security definer function without a fixed search_path' end,
           case when exists (select 1
                               from pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
                              where a.grantee = 0 and a.privilege_type = 'EXECUTE')
                then 'security definer function executable by PUBLIC' end
         ), '') as problem
    from pg_catalog.pg_proc p
    join pg_catalog.pg_namespace n on n.oid = p.pronamespace
   where n.nspname in ('public', 'private', 'auth')
     and p.prosecdef
     and p.proowner = (select oid from pg_catalog.pg_roles where rolname = 'crmsync_owner')
     and not exists (select 1 from pg_catalog.pg_depend d
                      where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
)
select table_name, rls_enabled, rls_forced, item, name, command, roles, expression, problem
  from (select * from table_rows
        union all select * from policy_rows
        union all select * from grant_rows
        union all select * from key_rows
        union all select * from function_rows) audit
 order by table_name, item, name, command;
