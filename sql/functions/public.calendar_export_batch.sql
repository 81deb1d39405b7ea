/*
 * public.calendar_export_batch.sql — what the CRM must push to the calendar (CRM → calendar).
 *
 * Runs as crmsync_worker in the account owner's session (SECURITY INVOKER, RLS applies).
 * calendar_export_batch(account, limit): appointments of the account's user that the provider
 * must learn about, oldest change first:
 *   create  live, and no mapping (or the mapped event was deleted remotely and the CRM side
 *           won): external_event_id and etag are null, the engine chooses the id
 *   update  live, mapped, crm_version > synced_crm_version, mapping not in 'conflict'
 *   delete  soft-deleted (or reassigned to another user), mapped, event not yet deleted
 *
 * Candidates between full scans: when the account's last complete scan left its snapshot
 * (appointments.change_xid, sql/migrations/300) and that run's watermark was adopted, the
 * candidates are the user's appointments written by transactions that snapshot did not see (an
 * index range on (organization_id, owner_id, change_xid)); a no-change sync after a big import
 * reads no appointment at all, however much the rest of the organization wrote meanwhile (the
 * organization's range made a round of syncs grow with its square, sql/migrations/365).
 * Without a usable snapshot (first scan, failed run, rows written before change_xid existed)
 * it looks at the user's appointments updated since the watermark minus a 10-minute overlap
 * (transactions that committed late). Both add the account's mappings not 'synced': an
 * appointment reassigned to another user is no longer in the user's range, and the
 * appointments trigger marks its mappings in the old owner's accounts 'pending'
 * (private.calendar_mark_reassigned), so it is found there and its event deleted. When the
 * watermark is unset or the last full scan is a day old it scans everything. A batch shorter than p_limit stages the new
 * watermark and snapshot; finish_calendar_sync adopts them when the run ends in success or
 * partial, so a crashed run rescans.
 *
 * Plans: each candidate finds its appointment and its mapping with one index probe each
 * (LATERAL ... LIMIT 1 on the primary key and the account's unique key), so the cost follows
 * the candidates (a planner that believed the account had one mapping joined every candidate
 * to a scan of all its mappings: 2-24 s for 2,000 to 5,000 appointments). One generic plan per
 * session (plan_cache_mode = force_generic_plan): planned for the constant id of an
 * organization the statistics do not know yet, every index that starts with organization_id
 * costs the same and the probe read the whole organization per candidate; a generic plan
 * estimates an organization at its average size, and the primary key wins. The mappings not in
 * sync are a branch of their own, so this plan still reads them by their index. jit = off: a
 * generic plan's estimate of a big organization passed jit_above_cost, and every batch, even an
 * empty one, compiled 78 functions (80-90 ms instead of 2).
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
     where not v_full and v_snapshot is null and a.organization_id = v_org and a.owner_id = v_user
       and a.updated_at > v_since
    union
    -- written by a transaction the last complete scan's snapshot did not see
    select a.id from public.appointments a
     where not v_full and v_snapshot is not null and a.organization_id = v_org and a.owner_id = v_user
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
revoke execute on function public.calendar_export_batch(uuid, int) from public;
grant execute on function public.calendar_export_batch(uuid, int) to crmsync_worker;
comment on function public.calendar_export_batch(uuid, int) is
  'Up to p_limit appointments of the caller''s calendar account to push (action create|update|delete), oldest change first; under RLS. Between full scans only appointments written since the last complete scan''s snapshot. Stages the export watermark and snapshot when the scan is complete.';
