/*
 * 210_calendar_import.sql — import one page of provider events into the CRM (calendar → CRM).
 *
 * public.import_calendar_events(account, events) runs as crmsync_worker in the account owner's
 * session (SECURITY INVOKER: the policies of appointments, mappings and conflicts decide what
 * it may touch). It is set-based: one statement classifies the whole page, then one statement
 * per kind of write (new appointments + mappings, appointment updates, mapping updates,
 * conflicts), never a loop over events. Replaying a page changes nothing (outcome 'unchanged').
 *
 * Per event (see private.calendar_import_item for the internal actions):
 *   no mapping, live                    → created (or linked, when its client_id names an
 *                                         unmapped appointment of this user)
 *   no mapping, cancelled/removed       → ignored
 *   mapping, same etag                  → unchanged (no echo of our own writes)
 *   mapping, both sides already agree   → unchanged (etag and version recorded)
 *   mapping, CRM unchanged since sync   → updated | deleted (soft delete)
 *   mapping, CRM changed too            → account.conflict_strategy: calendar_wins → updated |
 *                                         deleted; crm_wins → kept_crm; latest_wins → by
 *                                         appointment.updated_at vs event.updated; manual →
 *                                         conflict (one open calendar_conflicts row per mapping)
 *   mapped appointment now owned by another user → ignored (export deletes the event)
 *   malformed event                     → invalid (nothing written)
 * An appointment is never deleted because an event is missing from a listing.
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
language sql
volatile
set search_path = ''
as $$
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
           d.end_time, d.time_zone, d.remote_updated_at, d.ical_uid, d.series_id, d.j,
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
$$;
comment on function private.calendar_import_classify(uuid, uuid, uuid, text, jsonb, boolean) is
  'import_calendar_events, step 1: parses a page of events and decides per event (one statement, under the caller''s RLS). p_safe parses timestamps without raising (slow path).';
revoke execute on function private.calendar_import_classify(uuid, uuid, uuid, text, jsonb, boolean) from public;
grant execute on function private.calendar_import_classify(uuid, uuid, uuid, text, jsonb, boolean) to crmsync_worker;

create or replace function public.import_calendar_events(p_account_id uuid, p_events jsonb)
returns table (external_event_id text, outcome text, appointment_id uuid)
language plpgsql
volatile
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_org      uuid := private.current_org_id();
  v_user     uuid := auth.uid();
  v_strategy text;
  v_tz       text;
  v_items    private.calendar_import_item[];
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

  -- New appointments and their mappings; links of events we created (client_id) whose
  -- record_calendar_exports never committed.
  with new_appointments as (
    insert into public.appointments (id, organization_id, owner_id, title, description, location,
                                     start_time, end_time, all_day, time_zone)
    select r.appointment_id, v_org, v_user, r.title, r.description, r.location,
           r.start_time, r.end_time, r.all_day, coalesce(r.time_zone, v_tz)
      from unnest(v_items) r
     where r.action = 'create'
    returning id, crm_version
  )
  insert into public.calendar_event_mappings (organization_id, appointment_id, calendar_account_id, external_event_id,
                                              etag, sync_status, sync_direction, last_synced, synced_crm_version,
                                              remote_updated_at, remote_deleted, ical_uid, series_id)
  select v_org, r.appointment_id, p_account_id, r.external_event_id, r.etag,
         case when r.action = 'create' or r.same_content then 'synced' else 'pending' end,
         case when r.action = 'create' then 'import' else 'export' end,
         now(),
         case when r.action = 'create' then na.crm_version
              when r.same_content then la.crm_version
              else la.crm_version - 1 end,
         r.remote_updated_at, false, r.ical_uid, r.series_id
    from unnest(v_items) r
    left join new_appointments na on na.id = r.appointment_id
    left join public.appointments la
           on r.action = 'link' and la.organization_id = v_org and la.id = r.appointment_id
   where r.action = 'create' or (r.action = 'link' and r.mapping_id is null);

  -- The calendar's version applied to existing appointments (crm_version moves only on change).
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

  -- Mappings of existing events (and re-pointed links): etag, agreed version, status.
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

  -- Manual strategy: one open conflict per mapping, refreshed by newer remote versions.
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

  -- An open conflict settled by the engine (strategy changed, or both sides now agree).
  update public.calendar_conflicts c
     set resolved_at = now(),
         resolution  = case when r.action = 'keep_crm' then 'keep_crm' else 'keep_calendar' end,
         resolved_by = null
    from unnest(v_items) r
   where r.mapping_status = 'conflict'
     and r.action in ('apply', 'delete_local', 'absorb', 'keep_crm')
     and c.organization_id = v_org and c.mapping_id = r.mapping_id and c.resolved_at is null;

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
