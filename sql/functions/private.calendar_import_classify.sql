/*
 * private.calendar_import_classify.sql — the classification of one import page: what
 * public.import_calendar_events does with each event (see that file for the outcomes).
 *
 * Same query and decisions for every page, so it is PL/pgSQL (an SQL function was planned on
 * every call) with one generic plan per session (plan_cache_mode = force_generic_plan, jit =
 * off): planned for a page's constants, it chose whole-table joins and took seconds per page.
 * A classified event carries its JSON only when it becomes a conflict (the one place that
 * stores it), not through every pass over the page.
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
revoke execute on function private.calendar_import_classify(uuid, uuid, uuid, text, jsonb, boolean) from public;
grant execute on function private.calendar_import_classify(uuid, uuid, uuid, text, jsonb, boolean) to crmsync_worker;
comment on function private.calendar_import_classify(uuid, uuid, uuid, text, jsonb, boolean) is
  'import_calendar_events, step 1: parses a page of events and decides per event (one statement, under the caller''s RLS; one generic plan per session). p_safe parses timestamps without raising (slow path).';
