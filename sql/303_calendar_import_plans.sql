/*
 * 303_calendar_import_plans.sql — import plans that stay fast on every page (issue 4).
 *
 * Found by timing imports page by page in one session (10 pages of 1,000 events):
 *   - from the sixth page of new events on, each page took twice as long. PL/pgSQL plans a
 *     statement for its first five runs with the page's actual values, then may switch to a
 *     generic plan; for the statement that inserted the new appointments and their mappings in
 *     one data-modifying CTE, that plan joined the page to the CTE's rows with a nested loop,
 *     a page-squared scan;
 *   - a page of 1,000 changed events took 5-9 s: with statistics that had not yet seen the
 *     account's new mappings, the mapping update scanned all of the account's mappings and,
 *     for each, the whole page (10,000 x 1,000 comparisons). Plans made for a page's own
 *     constants chose such whole-table joins; in the classification too (seconds per page).
 * Every statement here is built of per-event index probes (a page is small, the tables are
 * not), which is what a generic plan (a page guessed at a few rows) keeps. So:
 *   - import_calendar_events and calendar_import_classify run with plan_cache_mode =
 *     force_generic_plan: one plan per session, the same for every page, whatever the
 *     statistics say of one account (and jit = off: a generic plan's guesses must not buy a
 *     compilation per call, see 304). calendar_import_classify (same query, same decisions) is
 *     PL/pgSQL so that its plan is cached at all (an SQL function was planned on every call);
 *   - import_calendar_events inserts the appointments (crm_version 1, spelled out), then the
 *     mappings, each in its own statement, so no plan can join the page to itself; a new
 *     mapping records version 1, a link reads its appointment's version with one index probe;
 *   - a classified event carries its JSON only when it becomes a conflict (the one place that
 *     stores it), not through every pass over the page;
 *   - the planner statistics refresh that import and export run on a growing table
 *     (calendar_refresh_planner_stats, sql/200) samples a tenth of the rows: its ANALYZEs were
 *     half the import's time in the benchmark (5 per table at 150-165 ms each).
 * Same outcomes, same writes as 302 and 210.
 */
set local role crmsync_owner;

create or replace function private.calendar_import_classify(
  p_account_id uuid,
  p_org        uuid,
  p_user       uuid,
  p_strategy   text,
  p_events     jsonb,
  p_safe       boolean
) returns private.calendar_import_item[]
language plpgsql
volatile
set search_path = ''
-- one plan per session, built for per-event index probes (see the header)
set plan_cache_mode = force_generic_plan
set jit = off
as $$
begin
  return (
    with raw as (
      select x.ord, x.j, nullif(x.j ->> 'id', '') as id
        from jsonb_array_elements(p_events) with ordinality as x (j, ord)
    ),
    ranked as (
      -- the same event twice in one page: the last occurrence counts
      select r.*, row_number() over (partition by r.id order by r.ord desc) as dup
        from raw r
    ),
    ev as materialized (
      -- parse each event once
      select r.ord, r.id, r.j,
             nullif(r.j ->> 'etag', '') as etag,
             coalesce(nullif(r.j ->> 'status', ''), 'confirmed') as status,
             case when nullif(btrim(r.j ->> 'title'), '') is null then '(no title)' else r.j ->> 'title' end as title,
             nullif(r.j ->> 'description', '') as description,
             nullif(r.j ->> 'location', '') as location,
             coalesce(r.j -> 'all_day' = 'true'::jsonb, false) as all_day,
             case when p_safe then private.calendar_timestamptz_safe(r.j ->> 'start')
                  else private.calendar_timestamptz(r.j ->> 'start') end as start_time,
             case when p_safe then private.calendar_timestamptz_safe(r.j ->> 'end')
                  else private.calendar_timestamptz(r.j ->> 'end') end as end_time,
             nullif(btrim(r.j ->> 'time_zone'), '') as time_zone,
             case when p_safe then private.calendar_timestamptz_safe(r.j ->> 'updated')
                  else private.calendar_timestamptz(r.j ->> 'updated') end as remote_updated_at,
             nullif(r.j ->> 'ical_uid', '') as ical_uid,
             nullif(r.j ->> 'series_id', '') as series_id,
             case when r.j ->> 'client_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                  then (r.j ->> 'client_id')::uuid end as client_id
        from ranked r
       where r.id is null or r.dup = 1
    ),
    checked as (
      select e.*,
             e.status in ('confirmed', 'tentative') as live,
             e.id is not null
               and e.status in ('confirmed', 'tentative', 'cancelled', 'removed')
               and (e.status in ('cancelled', 'removed')
                    or (e.start_time is not null and e.end_time is not null and e.end_time >= e.start_time)) as valid
        from ev e
    ),
    joined as (
      select c.*,
             m.id as m_id, m.etag as m_etag, m.sync_status as m_status, m.remote_deleted as m_remote_deleted,
             coalesce(m.synced_crm_version, 0) as m_synced,
             a.id as a_id, a.owner_id as a_owner, a.crm_version as a_version, a.updated_at as a_updated_at,
             a.deleted_at as a_deleted_at,
             la.id as la_id, lm.id as lm_id, lm.remote_deleted as lm_remote_deleted,
             -- two events of one page claiming the same appointment: only the first links
             row_number() over (partition by la.id order by c.ord) as la_rank,
             -- does the CRM side (a, or the appointment to link) already hold this version?
             case when c.live then
                    coalesce(coalesce(a.deleted_at, la.deleted_at) is null
                      and coalesce(a.title, la.title) = c.title
                      and nullif(coalesce(a.description, la.description), '') is not distinct from c.description
                      and nullif(coalesce(a.location, la.location), '') is not distinct from c.location
                      and coalesce(a.start_time, la.start_time) = c.start_time
                      and coalesce(a.end_time, la.end_time) = c.end_time
                      and coalesce(a.all_day, la.all_day) = c.all_day
                      and coalesce(a.time_zone, la.time_zone) = coalesce(c.time_zone, a.time_zone, la.time_zone), false)
                  else coalesce(a.deleted_at, la.deleted_at) is not null
             end as same_content
        from checked c
        -- LATERAL ... LIMIT 1 (not flattened) with unique-key equality: one index probe per event
        -- whatever the statistics say (the planner cannot know a page's size; with stale
        -- statistics a flattened join scanned every mapping of the account per event)
        left join lateral (
               select m.* from public.calendar_event_mappings m
                where m.organization_id = p_org and m.calendar_account_id = p_account_id and m.external_event_id = c.id
                limit 1
             ) m on true
        left join lateral (
               select a.* from public.appointments a
                where a.organization_id = p_org and a.id = m.appointment_id
                limit 1
             ) a on true
        left join lateral (
               select la.* from public.appointments la
                where m.id is null and c.valid and c.live and c.client_id is not null
                  and la.organization_id = p_org and la.id = c.client_id and la.owner_id = p_user
                limit 1
             ) la on true
        left join lateral (
               select lm.* from public.calendar_event_mappings lm
                where lm.organization_id = p_org and lm.calendar_account_id = p_account_id and lm.appointment_id = la.id
                limit 1
             ) lm on true
    ),
    decided as (
      select j.*,
             case
               when not j.valid then 'invalid'
               when j.m_id is null then
                 case when not j.live then 'ignored'
                      when j.la_id is not null and j.la_rank = 1
                           and (j.lm_id is null or j.lm_remote_deleted)
                        then 'link'
                      else 'create' end
               when j.a_id is null or j.a_owner <> p_user then 'ignored'
               when j.etag is not null and j.etag = j.m_etag then 'unchanged'
               when not j.live and j.m_remote_deleted then 'unchanged'
               when j.same_content then 'absorb'
               when not (j.a_version > j.m_synced or (j.a_deleted_at is not null and not j.m_remote_deleted))
                    or p_strategy = 'calendar_wins'
                    or (p_strategy = 'latest_wins' and j.remote_updated_at > j.a_updated_at)
                 then case when j.live then 'apply' else 'delete_local' end
               when p_strategy in ('crm_wins', 'latest_wins') then 'keep_crm'
               else 'conflict'
             end as action
        from joined j
    )
    select coalesce(array_agg(row(
             d.ord, d.id, d.etag, d.live, d.title, d.description, d.location, d.all_day, d.start_time,
             d.end_time, d.time_zone, d.remote_updated_at, d.ical_uid, d.series_id,
             case when d.action = 'conflict' then d.j end,  -- the JSON only where a conflict stores it
             case when d.action = 'link' then d.lm_id else d.m_id end,
             d.m_status,
             case when d.action = 'create' then extensions.gen_random_uuid()
                  when d.action = 'link' then d.la_id
                  when d.action in ('invalid', 'ignored') then null
                  else d.a_id end,
             d.same_content,
             d.action,
             case d.action when 'create' then 'created' when 'link' then 'linked' when 'apply' then 'updated'
                           when 'delete_local' then 'deleted' when 'absorb' then 'unchanged'
                           when 'keep_crm' then 'kept_crm' else d.action end
           )::private.calendar_import_item order by d.ord), '{}')
      from decided d
  );
end
$$;
comment on function private.calendar_import_classify(uuid, uuid, uuid, text, jsonb, boolean) is
  'import_calendar_events, step 1: parses a page of events and decides per event (one statement, under the caller''s RLS; one generic plan per session). p_safe parses timestamps without raising (slow path).';
revoke execute on function private.calendar_import_classify(uuid, uuid, uuid, text, jsonb, boolean) from public;
grant execute on function private.calendar_import_classify(uuid, uuid, uuid, text, jsonb, boolean) to crmsync_worker;

create or replace function public.import_calendar_events(p_account_id uuid, p_events jsonb)
returns table (external_event_id text, outcome text, appointment_id uuid)
language plpgsql
volatile
set search_path = ''
-- one plan per session, built for per-event index probes (see the header)
set plan_cache_mode = force_generic_plan
set jit = off
as $$
#variable_conflict use_column
declare
  v_org      uuid := private.current_org_id();
  v_user     uuid := auth.uid();
  v_strategy text;
  v_tz       text;
  v_items    private.calendar_import_item[];
  v_inserts  boolean;
  v_applies  boolean;
  v_mappings boolean;
  v_conflict boolean;
  v_settled  boolean;
begin
  -- The account must be the caller's own (RLS and the explicit filter agree); the row lock
  -- serializes imports/exports of one account so a page is never applied twice concurrently.
  select a.conflict_strategy, a.time_zone into v_strategy, v_tz
    from public.calendar_accounts a
   where a.organization_id = v_org and a.id = p_account_id and a.user_id = v_user
     for no key update;
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  if p_events is null or jsonb_typeof(p_events) <> 'array' then
    raise exception 'p_events must be a JSON array of events' using errcode = '22023';
  end if;

  perform private.calendar_refresh_planner_stats();
  begin
    v_items := private.calendar_import_classify(p_account_id, v_org, v_user, v_strategy, p_events, false);
  exception
    when data_exception then
      -- a start/end/updated that is not a valid date-time: redo the page, parsing each value
      -- defensively (the event becomes 'invalid', the rest of the page goes on)
      v_items := private.calendar_import_classify(p_account_id, v_org, v_user, v_strategy, p_events, true);
  end;

  -- Which of the writes below this page needs (a replayed or unchanged page needs none).
  select coalesce(bool_or(r.action = 'create' or (r.action = 'link' and r.mapping_id is null)), false),
         coalesce(bool_or(r.action in ('apply', 'delete_local')), false),
         coalesce(bool_or(r.action in ('apply', 'delete_local', 'absorb', 'keep_crm', 'conflict', 'link') and r.mapping_id is not null), false),
         coalesce(bool_or(r.action = 'conflict'), false),
         coalesce(bool_or(r.mapping_status = 'conflict' and r.action in ('apply', 'delete_local', 'absorb', 'keep_crm')), false)
    into v_inserts, v_applies, v_mappings, v_conflict, v_settled
    from unnest(v_items) r;

  -- New appointments and their mappings; links of events we created (client_id) whose
  -- record_calendar_exports never committed.
  if v_inserts then
    -- crm_version spelled out: the mapping below records the version it was created at
    insert into public.appointments (id, organization_id, owner_id, title, description, location,
                                     start_time, end_time, all_day, time_zone, crm_version)
    select r.appointment_id, v_org, v_user, r.title, r.description, r.location,
           r.start_time, r.end_time, r.all_day, coalesce(r.time_zone, v_tz), 1
      from unnest(v_items) r
     where r.action = 'create';

    insert into public.calendar_event_mappings (organization_id, appointment_id, calendar_account_id, external_event_id,
                                                etag, sync_status, sync_direction, last_synced, synced_crm_version,
                                                remote_updated_at, remote_deleted, ical_uid, series_id)
    select v_org, r.appointment_id, p_account_id, r.external_event_id, r.etag,
           case when r.action = 'create' or r.same_content then 'synced' else 'pending' end,
           case when r.action = 'create' then 'import' else 'export' end,
           now(),
           case when r.action = 'create' then 1
                when r.same_content then a.crm_version
                else a.crm_version - 1 end,
           r.remote_updated_at, false, r.ical_uid, r.series_id
      from unnest(v_items) r
      -- a linked appointment's version: one index probe per link, whatever the planner
      -- guesses of the page's size
      left join lateral (
             select a.crm_version from public.appointments a
              where r.action = 'link' and a.organization_id = v_org and a.id = r.appointment_id
              limit 1
           ) a on true
     where r.action = 'create' or (r.action = 'link' and r.mapping_id is null);
  end if;

  -- The calendar's version applied to existing appointments (crm_version moves only on change).
  if v_applies then
    update public.appointments a
       set title       = case when r.action = 'apply' then r.title else a.title end,
           description = case when r.action = 'apply' then r.description else a.description end,
           location    = case when r.action = 'apply' then r.location else a.location end,
           start_time  = case when r.action = 'apply' then r.start_time else a.start_time end,
           end_time    = case when r.action = 'apply' then r.end_time else a.end_time end,
           all_day     = case when r.action = 'apply' then r.all_day else a.all_day end,
           time_zone   = case when r.action = 'apply' then coalesce(r.time_zone, a.time_zone) else a.time_zone end,
           deleted_at  = case when r.action = 'apply' then null else coalesce(a.deleted_at, now()) end
      from unnest(v_items) r
     where r.action in ('apply', 'delete_local')
       and a.organization_id = v_org and a.id = r.appointment_id;
  end if;

  -- Mappings of existing events (and re-pointed links): etag, agreed version, status.
  if v_mappings then
    update public.calendar_event_mappings m
       set external_event_id  = r.external_event_id,
           etag               = r.etag,
           synced_crm_version = case
                                  when r.action in ('apply', 'delete_local', 'absorb') then a.crm_version
                                  when r.action = 'link' and r.same_content then a.crm_version
                                  when r.action in ('link', 'keep_crm')
                                    then least(coalesce(m.synced_crm_version, 0), a.crm_version - 1)
                                  else m.synced_crm_version
                                end,
           remote_deleted     = not r.live,
           remote_updated_at  = coalesce(r.remote_updated_at, m.remote_updated_at),
           ical_uid           = coalesce(r.ical_uid, m.ical_uid),
           series_id          = coalesce(r.series_id, m.series_id),
           sync_status        = case
                                  when r.action = 'conflict' then 'conflict'
                                  when r.action = 'keep_crm' then 'pending'
                                  when r.action = 'link' and not r.same_content then 'pending'
                                  else 'synced'
                                end,
           sync_direction     = case when r.action in ('apply', 'delete_local') then 'import' else m.sync_direction end,
           last_synced        = case when r.action in ('keep_crm', 'conflict') then m.last_synced else now() end,
           error_message      = null
      from unnest(v_items) r
      join public.appointments a on a.organization_id = v_org and a.id = r.appointment_id
     where r.action in ('apply', 'delete_local', 'absorb', 'keep_crm', 'conflict', 'link')
       and r.mapping_id is not null
       and m.organization_id = v_org and m.calendar_account_id = p_account_id and m.id = r.mapping_id;
  end if;

  -- Manual strategy: one open conflict per mapping, refreshed by newer remote versions.
  if v_conflict then
    insert into public.calendar_conflicts (organization_id, calendar_account_id, mapping_id, appointment_id,
                                           crm_version, crm_snapshot, remote_snapshot, remote_etag)
    select v_org, p_account_id, r.mapping_id, r.appointment_id,
           a.crm_version, private.calendar_crm_snapshot(a), r.event, r.etag
      from unnest(v_items) r
      join public.appointments a on a.organization_id = v_org and a.id = r.appointment_id
     where r.action = 'conflict'
    on conflict (organization_id, mapping_id) where resolved_at is null
    do update set crm_version     = excluded.crm_version,
                  crm_snapshot    = excluded.crm_snapshot,
                  remote_snapshot = excluded.remote_snapshot,
                  remote_etag     = excluded.remote_etag,
                  detected_at     = now();
  end if;

  -- An open conflict settled by the engine (strategy changed, or both sides now agree).
  if v_settled then
    update public.calendar_conflicts c
       set resolved_at = now(),
           resolution  = case when r.action = 'keep_crm' then 'keep_crm' else 'keep_calendar' end,
           resolved_by = null
      from unnest(v_items) r
     where r.mapping_status = 'conflict'
       and r.action in ('apply', 'delete_local', 'absorb', 'keep_crm')
       and c.organization_id = v_org and c.mapping_id = r.mapping_id and c.resolved_at is null;
  end if;

  return query
    select r.external_event_id, r.outcome, r.appointment_id
      from unnest(v_items) r
     order by r.ord;
end
$$;
comment on function public.import_calendar_events(uuid, jsonb) is
  'Imports one page of normalized provider events into the caller''s calendar account (set-based, idempotent, under RLS). Outcome per event: created|linked|updated|deleted|unchanged|ignored|kept_crm|conflict|invalid. 42501 when the account is not the caller''s.';
revoke execute on function public.import_calendar_events(uuid, jsonb) from public;
grant execute on function public.import_calendar_events(uuid, jsonb) to crmsync_worker;

-- The refresh exists to bring table sizes up to date and to make cached plans be replanned
-- while a young table grows (the plans here no longer depend on fine statistics). A sample of
-- 3,000 rows instead of 30,000 does that at a sixth of the cost (16 ms instead of 100 ms at
-- 18,000 rows, measured); autovacuum's own ANALYZE later restores the full statistics.
alter function private.calendar_refresh_planner_stats() set default_statistics_target = 10;
