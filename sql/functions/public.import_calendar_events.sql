/*
 * public.import_calendar_events.sql — import one page of provider events into the CRM
 * (calendar → CRM).
 *
 * public.import_calendar_events(account, events) runs as crmsync_worker in the account owner's
 * session (SECURITY INVOKER: the policies of appointments, mappings and conflicts decide what
 * it may touch). It is set-based: private.calendar_import_classify classifies the whole page,
 * then one statement per kind of write (new appointments, their mappings, appointment updates,
 * mapping updates, conflicts), never a loop over events. Replaying a page changes nothing
 * (outcome 'unchanged').
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
 *
 * Plans (measured by importing page by page in one session): every statement is built of
 * per-event index probes (a page is small, the tables are not), which is what a generic plan
 * keeps, so the function runs with plan_cache_mode = force_generic_plan (one plan per session,
 * the same for every page, whatever the statistics say of one account) and jit = off (a
 * generic plan's guesses must not buy a compilation per call). Plans made for a page's own
 * constants chose whole-table joins: a page of 1,000 changed events took 5-9 s with
 * statistics that had not yet seen the account's new mappings. The appointments are inserted
 * (crm_version 1, spelled out), then the mappings, each in its own statement, so no plan can
 * join the page to itself; a new mapping records version 1, a link reads its appointment's
 * version with one index probe. Each write statement runs only when the page holds an event it
 * applies to (a page of new events plans and runs no update, a replayed page no write at all).
 */
set local role crmsync_owner;

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
       -- by primary key only: r.mapping_id is a mapping of this account (the classification
       -- found it by (organization, account, event id)), and the policy still limits the update
       -- to the caller's accounts. With the account spelled out here too, the planner multiplied
       -- it with the policy's `calendar_account_id = any(...)`, expected one mapping in the
       -- account, and compared each of its mappings with each event of the page (4 s for
       -- 1,000 changed events of an account of 6,000).
       and m.organization_id = v_org and m.id = r.mapping_id;
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
revoke execute on function public.import_calendar_events(uuid, jsonb) from public;
grant execute on function public.import_calendar_events(uuid, jsonb) to crmsync_worker;
comment on function public.import_calendar_events(uuid, jsonb) is
  'Imports one page of normalized provider events into the caller''s calendar account (set-based, idempotent, under RLS). Outcome per event: created|linked|updated|deleted|unchanged|ignored|kept_crm|conflict|invalid. 42501 when the account is not the caller''s.';
