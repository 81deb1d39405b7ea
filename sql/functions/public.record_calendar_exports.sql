/*
 * public.record_calendar_exports.sql — records what one export batch did at the provider
 * (one call per batch, idempotent; the function comment lists the result actions).
 *
 * Runs as crmsync_worker in the account owner's session (SECURITY INVOKER, RLS applies). It
 * reads each result's appointment (and, for conflicts, its mapping) with one index probe, and
 * parses the results in MATERIALIZED CTEs: a mapping's key compared with a plain column can be
 * an index probe under row-level security, whereas compared with an expression over the JSON
 * (jsonb ->> and a uuid cast are not leakproof) it has to wait for the policy's filter, after a
 * scan of the account's mappings. Like import_calendar_events it has one generic plan per
 * session (Tests/sql/import_plans_test.sql counts the rows it reads).
 */
set local role crmsync_owner;

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
revoke execute on function public.record_calendar_exports(uuid, jsonb) from public;
grant execute on function public.record_calendar_exports(uuid, jsonb) to crmsync_worker;
comment on function public.record_calendar_exports(uuid, jsonb) is
  'Records one export batch of the caller''s calendar account (idempotent, under RLS). Result actions: created (insert/re-point mapping, synced_crm_version = exported crm_version), updated (new etag; pending if changed again), deleted/gone (remote_deleted), conflict (412 + remote: decided by strategy like import), error (mapping error_message). Returns the number of results recorded.';
