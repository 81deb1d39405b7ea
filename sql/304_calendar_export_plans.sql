/*
 * 304_calendar_export_plans.sql — export plans that stay fast on every account (issue 4).
 *
 * Found by the benchmark's end-to-end import in an organization that had just been written
 * to (statistics not yet showing the new rows): calendar_export_batch took 2-24 s for 2,000 to
 * 5,000 appointments. Believing the account had one mapping, the planner joined every
 * candidate appointment to a scan of all the account's mappings (14 million comparisons); a
 * generic plan avoided that but read every appointment of the organization per batch. Same
 * function as in 301, except that:
 *   - each candidate finds its appointment and its mapping with one index probe each
 *     (LATERAL ... LIMIT 1 on the primary key and the account's unique key): the cost follows
 *     the candidates;
 *   - it has one generic plan per session (plan_cache_mode = force_generic_plan). Planned for
 *     the constant id of an organization the statistics do not know yet (a new tenant's first
 *     sync), the organization looks like one row, every index that starts with organization_id
 *     costs the same, and the appointment probe went through appointments_org_change_xid_idx,
 *     reading the whole organization per candidate. A generic plan estimates an organization
 *     at its average size, and the primary key wins. The mappings not in sync are a branch of
     their own, apart from the full scan's, so that this plan still reads them by their index.
     Without JIT (jit = off, here and in the other functions with a generic plan): a generic
     plan's estimate of a big organization's candidates passed jit_above_cost, and every
     batch, even one with nothing to export, compiled 78 functions (80-90 ms instead of 2).
 *
 * record_calendar_exports read every appointment of the organization and every mapping of the
 * account for each batch (Tests/sql/import_plans_test.sql counts them). Same as in 220
 * otherwise, it now reads each result's appointment (and, for conflicts, its mapping) with one
 * index probe, and parses the results in MATERIALIZED CTEs: a mapping's key compared with a
 * plain column can be an index probe under row-level security, whereas compared with an
 * expression over the JSON (jsonb ->> and a uuid cast are not leakproof) it has to wait for
 * the policy's filter, after a scan of the account's mappings. Like import_calendar_events
 * (303) it has one generic plan per session.
 */
set local role crmsync_owner;

create or replace function public.calendar_export_batch(p_account_id uuid, p_limit int)
returns table (appointment_id uuid, action text, external_event_id text, etag text, crm_version bigint,
               title text, description text, location text, start_time timestamptz, end_time timestamptz,
               all_day boolean, time_zone text)
language plpgsql
volatile
set search_path = ''
-- one plan per session, built for per-candidate index probes (see the header)
set plan_cache_mode = force_generic_plan
set jit = off
as $$
#variable_conflict use_column
declare
  v_org       uuid := private.current_org_id();
  v_user      uuid := auth.uid();
  v_watermark timestamptz;
  v_full_at   timestamptz;
  v_full      boolean;
  v_since     timestamptz;
  v_count     bigint;
  v_run_start timestamptz;
  v_snapshot  pg_snapshot := private.calendar_export_snapshot(p_account_id);
  -- taken before the scan, so whatever it shows the scan sees too
  v_scan      pg_snapshot := pg_catalog.pg_current_snapshot();
begin
  select a.export_watermark, a.export_full_scan_at into v_watermark, v_full_at
    from public.calendar_accounts a
   where a.organization_id = v_org and a.id = p_account_id and a.user_id = v_user;
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  if p_limit is null or p_limit < 1 then
    raise exception 'p_limit must be positive' using errcode = '22023';
  end if;
  perform private.calendar_refresh_planner_stats();
  v_full  := v_watermark is null or v_full_at is null or v_full_at < now() - interval '1 day';
  v_since := case when v_full then '-infinity'::timestamptz else v_watermark - interval '10 minutes' end;
  -- what failed during the current run is not retried before the next run
  select case when l.status = 'running' then l.started_at end into v_run_start
    from public.calendar_sync_log l
   where l.organization_id = v_org and l.calendar_account_id = p_account_id
   order by l.started_at desc
   limit 1;

  return query
  with candidates as (
    select a.id from public.appointments a
     where v_full and a.organization_id = v_org and a.owner_id = v_user
    union
    select a.id from public.appointments a
     where not v_full and v_snapshot is null and a.organization_id = v_org and a.updated_at > v_since
    union
    -- written by a transaction the last complete scan's snapshot did not see
    select a.id from public.appointments a
     where not v_full and v_snapshot is not null and a.organization_id = v_org
       and a.change_xid >= pg_catalog.pg_snapshot_xmin(v_snapshot)
       and not pg_catalog.pg_visible_in_snapshot(a.change_xid, v_snapshot)
    union
    select m.appointment_id from public.calendar_event_mappings m
     where v_full and m.organization_id = v_org and m.calendar_account_id = p_account_id
    union
    -- spelled apart from the full scan, so that a generic plan uses the index of the mappings
    -- not in sync (calendar_event_mappings_unsynced_idx) rather than read them all
    select m.appointment_id from public.calendar_event_mappings m
     where not v_full and m.organization_id = v_org and m.calendar_account_id = p_account_id
       and m.sync_status <> 'synced'
  )
  select a.id, x.action,
         case when x.action = 'create' then null else m.external_event_id end,
         case when x.action = 'create' then null else m.etag end,
         a.crm_version, a.title, a.description, a.location, a.start_time, a.end_time, a.all_day, a.time_zone
    from candidates c
   -- one index probe each per candidate, whatever the statistics say (see the header)
   cross join lateral (
     select a.* from public.appointments a
      where a.organization_id = v_org and a.id = c.id
      limit 1
   ) a
    left join lateral (
     select m.* from public.calendar_event_mappings m
      where m.organization_id = v_org and m.calendar_account_id = p_account_id and m.appointment_id = a.id
      limit 1
   ) m on true
   cross join lateral (
     select case
              when m.id is not null and m.sync_status = 'conflict' then null
              when m.id is not null and m.sync_status = 'error' and m.updated_at >= v_run_start then null
              when a.owner_id = v_user and a.deleted_at is null
                   and (m.id is null or (m.remote_deleted and a.crm_version > coalesce(m.synced_crm_version, 0)))
                then 'create'
              when m.id is not null and not m.remote_deleted and (a.deleted_at is not null or a.owner_id <> v_user)
                then 'delete'
              when m.id is not null and not m.remote_deleted and a.crm_version > coalesce(m.synced_crm_version, 0)
                then 'update'
            end as action
   ) x
   where x.action is not null
   order by (m.sync_status = 'error') nulls first, a.updated_at, a.id
   limit p_limit;

  get diagnostics v_count = row_count;
  if v_count < p_limit then
    update public.calendar_accounts a
       set export_watermark_staged = now(),
           export_full_scan_staged = v_full
     where a.organization_id = v_org and a.id = p_account_id;
    perform private.calendar_export_snapshot_stage(p_account_id, v_scan, now());
  end if;
end
$$;
comment on function public.calendar_export_batch(uuid, int) is
  'Up to p_limit appointments of the caller''s calendar account to push (action create|update|delete), oldest change first; under RLS. Between full scans only appointments written since the last complete scan''s snapshot. Stages the export watermark and snapshot when the scan is complete.';
revoke execute on function public.calendar_export_batch(uuid, int) from public;
grant execute on function public.calendar_export_batch(uuid, int) to crmsync_worker;


create or replace function public.record_calendar_exports(p_account_id uuid, p_results jsonb)
returns int
language plpgsql
volatile
set search_path = ''
-- one plan per session, built for per-result index probes (see the header)
set plan_cache_mode = force_generic_plan
set jit = off
as $$
#variable_conflict use_column
declare
  v_org     uuid := private.current_org_id();
  v_user    uuid := auth.uid();
  v_total   int := 0;
  v_n       int;
  v_remote  jsonb;
begin
  perform 1
    from public.calendar_accounts a
   where a.organization_id = v_org and a.id = p_account_id and a.user_id = v_user
     for no key update;
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  if p_results is null or jsonb_typeof(p_results) <> 'array' then
    raise exception 'p_results must be a JSON array of results' using errcode = '22023';
  end if;

  -- created: the event exists now; the mapping records the exported version.
  with r as materialized (
    select (x.j ->> 'appointment_id')::uuid as appointment_id, nullif(x.j ->> 'external_event_id', '') as ext,
           nullif(x.j ->> 'etag', '') as etag, (x.j ->> 'crm_version')::bigint as crm_version,
           private.calendar_timestamptz_safe(x.j -> 'remote' ->> 'updated') as remote_updated_at,
           nullif(x.j -> 'remote' ->> 'ical_uid', '') as ical_uid
      from jsonb_array_elements(p_results) as x (j)
     where x.j ->> 'action' = 'created'
  )
  insert into public.calendar_event_mappings as m
         (organization_id, appointment_id, calendar_account_id, external_event_id, etag, sync_status,
          sync_direction, last_synced, synced_crm_version, remote_updated_at, remote_deleted, ical_uid)
  select v_org, a.id, p_account_id, r.ext, r.etag,
         case when a.crm_version > r.crm_version then 'pending' else 'synced' end,
         'export', now(), r.crm_version, r.remote_updated_at, false, r.ical_uid
    from r
   cross join lateral (
     select a.id, a.crm_version from public.appointments a
      where a.organization_id = v_org and a.id = r.appointment_id
      limit 1
   ) a
   where r.ext is not null and r.crm_version is not null
     -- the id is already mapped to another appointment of this account: leave it alone
     and not exists (select 1 from public.calendar_event_mappings o
                      where o.organization_id = v_org and o.calendar_account_id = p_account_id
                        and o.external_event_id = r.ext and o.appointment_id <> a.id)
  on conflict (organization_id, calendar_account_id, appointment_id) do update
     set external_event_id  = excluded.external_event_id,
         etag               = excluded.etag,
         sync_status        = excluded.sync_status,
         sync_direction     = 'export',
         last_synced        = excluded.last_synced,
         synced_crm_version = excluded.synced_crm_version,
         remote_updated_at  = coalesce(excluded.remote_updated_at, m.remote_updated_at),
         remote_deleted     = false,
         ical_uid           = coalesce(excluded.ical_uid, m.ical_uid),
         error_message      = null
   where excluded.synced_crm_version >= coalesce(m.synced_crm_version, 0)
     and (m.external_event_id = excluded.external_event_id or m.remote_deleted);
  get diagnostics v_n = row_count;
  v_total := v_total + v_n;

  -- updated: new etag; still 'pending' when the appointment changed again meanwhile.
  with r as materialized (
    select (x.j ->> 'appointment_id')::uuid as appointment_id, nullif(x.j ->> 'etag', '') as etag,
           (x.j ->> 'crm_version')::bigint as crm_version,
           private.calendar_timestamptz_safe(x.j -> 'remote' ->> 'updated') as remote_updated_at
      from jsonb_array_elements(p_results) as x (j)
     where x.j ->> 'action' = 'updated'
  )
  update public.calendar_event_mappings m
     set etag               = coalesce(r.etag, m.etag),
         synced_crm_version = r.crm_version,
         sync_status        = case when a.crm_version > r.crm_version then 'pending' else 'synced' end,
         sync_direction     = 'export',
         remote_deleted     = false,
         remote_updated_at  = coalesce(r.remote_updated_at, m.remote_updated_at),
         last_synced        = now(),
         error_message      = null
    from r
   cross join lateral (
     select a.crm_version from public.appointments a
      where a.organization_id = v_org and a.id = r.appointment_id
      limit 1
   ) a
   where m.organization_id = v_org and m.calendar_account_id = p_account_id and m.appointment_id = r.appointment_id
     and r.crm_version is not null
     and r.crm_version >= coalesce(m.synced_crm_version, 0)
     and (r.crm_version > coalesce(m.synced_crm_version, 0) or m.etag is distinct from coalesce(r.etag, m.etag)
          or m.sync_status <> case when a.crm_version > r.crm_version then 'pending' else 'synced' end)
     and m.sync_status <> 'conflict';
  get diagnostics v_n = row_count;
  v_total := v_total + v_n;

  -- deleted, or gone (404/410) while deleting: the event no longer exists.
  with r as materialized (
    select (x.j ->> 'appointment_id')::uuid as appointment_id, (x.j ->> 'crm_version')::bigint as crm_version,
           x.j ->> 'action' as action
      from jsonb_array_elements(p_results) as x (j)
     where x.j ->> 'action' in ('deleted', 'gone')
  )
  update public.calendar_event_mappings m
     set remote_deleted     = true,
         sync_status        = 'synced',
         synced_crm_version = greatest(coalesce(m.synced_crm_version, 0), coalesce(r.crm_version, 0), 1),
         last_synced        = now(),
         error_message      = null
    from r
   cross join lateral (
     select a.deleted_at, a.owner_id from public.appointments a
      where a.organization_id = v_org and a.id = r.appointment_id
      limit 1
   ) a
   where m.organization_id = v_org and m.calendar_account_id = p_account_id and m.appointment_id = r.appointment_id
     and not m.remote_deleted
     and (r.action = 'deleted' or a.deleted_at is not null or a.owner_id <> v_user);
  get diagnostics v_n = row_count;
  v_total := v_total + v_n;

  -- error: keep the reason on the mapping. A failed create has no event yet: it gets a
  -- placeholder mapping ('unsent:<appointment id>', remote_deleted) so the failure is visible
  -- and ordered last, and the next create re-points it.
  with r as materialized (
    select (x.j ->> 'appointment_id')::uuid as appointment_id,
           left(coalesce(nullif(x.j ->> 'error', ''), 'export failed'), 2000) as error
      from jsonb_array_elements(p_results) as x (j)
     where x.j ->> 'action' = 'error'
  )
  insert into public.calendar_event_mappings as m
         (organization_id, appointment_id, calendar_account_id, external_event_id, sync_status,
          sync_direction, remote_deleted, error_message)
  select v_org, a.id, p_account_id, 'unsent:' || a.id::text, 'error', 'export', true, r.error
    from r
   cross join lateral (
     select a.id from public.appointments a
      where a.organization_id = v_org and a.id = r.appointment_id
      limit 1
   ) a
  on conflict (organization_id, calendar_account_id, appointment_id) do update
     set sync_status = 'error', error_message = excluded.error_message
   where m.sync_status <> 'conflict';
  get diagnostics v_n = row_count;
  v_total := v_total + v_n;

  -- 412 with the remote version, and 404/410 while updating a live appointment: both sides
  -- changed. Decided exactly as import decides (strategy, manual conflict, convergence), by
  -- importing the remote version. A 412 without the remote version marks the mapping 'error'
  -- (the next import brings the remote change and decides then).
  with x as materialized (
    select (x.j ->> 'appointment_id')::uuid as appointment_id, x.j
      from jsonb_array_elements(p_results) as x (j)
     where x.j ->> 'action' in ('conflict', 'gone')
  )
  select coalesce(jsonb_agg(case
           when x.j ->> 'action' = 'conflict'
             then (x.j -> 'remote') || jsonb_build_object('id', m.external_event_id)
           else jsonb_build_object('id', m.external_event_id, 'status', 'removed', 'etag', null)
         end), '[]'::jsonb)
    into v_remote
    from x
   cross join lateral (
     select m.external_event_id, m.appointment_id, m.remote_deleted from public.calendar_event_mappings m
      where m.organization_id = v_org and m.calendar_account_id = p_account_id
        and m.appointment_id = x.appointment_id
      limit 1
   ) m
   cross join lateral (
     select a.deleted_at, a.owner_id from public.appointments a
      where a.organization_id = v_org and a.id = m.appointment_id
      limit 1
   ) a
   where not m.remote_deleted
     and ((x.j ->> 'action' = 'conflict' and jsonb_typeof(x.j -> 'remote') = 'object')
          or (x.j ->> 'action' = 'gone' and a.deleted_at is null and a.owner_id = v_user));
  if jsonb_array_length(v_remote) > 0 then
    select count(*) into v_n from public.import_calendar_events(p_account_id, v_remote) i;
    v_total := v_total + v_n;
  end if;

  with r as materialized (
    select (x.j ->> 'appointment_id')::uuid as appointment_id
      from jsonb_array_elements(p_results) as x (j)
     where x.j ->> 'action' = 'conflict'
       and jsonb_typeof(x.j -> 'remote') is distinct from 'object'
  )
  update public.calendar_event_mappings m
     set sync_status = 'error', error_message = 'precondition failed (412): remote version not supplied'
    from r
   where m.organization_id = v_org and m.calendar_account_id = p_account_id
     and m.appointment_id = r.appointment_id
     and m.sync_status not in ('conflict', 'error');
  get diagnostics v_n = row_count;
  v_total := v_total + v_n;

  return v_total;
end
$$;
comment on function public.record_calendar_exports(uuid, jsonb) is
  'Records one export batch of the caller''s calendar account (idempotent, under RLS). Result actions: created (insert/re-point mapping, synced_crm_version = exported crm_version), updated (new etag; pending if changed again), deleted/gone (remote_deleted), conflict (412 + remote: decided by strategy like import), error (mapping error_message). Returns the number of results recorded.';
revoke execute on function public.record_calendar_exports(uuid, jsonb) from public;
grant execute on function public.record_calendar_exports(uuid, jsonb) to crmsync_worker;
