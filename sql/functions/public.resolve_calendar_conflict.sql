/*
 * public.resolve_calendar_conflict.sql — a person resolves a calendar conflict.
 *
 * public.resolve_calendar_conflict(conflict, keep) is for `authenticated`, the owner of the
 * conflict's calendar account. SECURITY DEFINER because it writes the mapping (which people
 * may only read) and the conflict (updated only through this function); it therefore checks
 * ownership itself: the conflict must belong to a calendar account of auth.uid() in
 * private.current_org_id(), and the account must not be disconnected (a disconnected account is
 * gone for its owner), else 42501 'conflict not found'.
 *   keep_crm       the mapping takes the conflict's remote etag (so the export's If-Match
 *                  passes) and becomes 'pending': the next export overwrites the calendar
 *                  (re-creates the event when the calendar side had deleted it); the account
 *                  is made due now.
 *   keep_calendar  the remote version is applied to the appointment (or it is soft-deleted);
 *                  the mapping records the resulting crm_version as synced.
 * Returns true when this call resolved the conflict; false when it had already been resolved the
 * same way (a repeat, a no-op). A different resolution of a resolved conflict is 55000. The
 * conflict row is locked first (FOR UPDATE), so of concurrent calls exactly one returns true:
 * the others wait for it and then see it resolved.
 */
set local role crmsync_owner;

create or replace function public.resolve_calendar_conflict(p_conflict_id uuid, p_keep text)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_org     uuid := private.current_org_id();
  v_user    uuid := auth.uid();
  v_c       public.calendar_conflicts%rowtype;
  v_ev      jsonb;
  v_live    boolean;
  v_start   timestamptz;
  v_end     timestamptz;
  v_version bigint;
begin
  if p_keep is null or p_keep not in ('keep_crm', 'keep_calendar') then
    raise exception 'p_keep must be keep_crm or keep_calendar' using errcode = '22023';
  end if;

  select c.* into v_c
    from public.calendar_conflicts c
    join public.calendar_accounts a on a.organization_id = c.organization_id and a.id = c.calendar_account_id
    -- the conflict must describe this account's own mapping of this appointment
    join public.calendar_event_mappings m
      on m.organization_id = c.organization_id and m.id = c.mapping_id
     and m.calendar_account_id = c.calendar_account_id and m.appointment_id = c.appointment_id
   where v_org is not null and v_user is not null
     and c.organization_id = v_org and c.id = p_conflict_id and a.user_id = v_user
     and a.connection_status <> 'disconnected'
     for update of c;
  if not found then
    raise exception 'conflict not found' using errcode = '42501';
  end if;
  if v_c.resolved_at is not null then
    if v_c.resolution = p_keep then
      return false;
    end if;
    raise exception 'conflict already resolved (%)', v_c.resolution using errcode = '55000';
  end if;

  -- serialize with a running import/export of the account
  perform 1 from public.calendar_accounts a
   where a.organization_id = v_org and a.id = v_c.calendar_account_id
     for no key update;

  v_ev   := v_c.remote_snapshot;
  v_live := coalesce(nullif(v_ev ->> 'status', ''), 'confirmed') in ('confirmed', 'tentative');

  if p_keep = 'keep_calendar' then
    if v_live then
      v_start := private.calendar_timestamptz_safe(v_ev ->> 'start');
      v_end   := private.calendar_timestamptz_safe(v_ev ->> 'end');
      if v_start is null or v_end is null or v_end < v_start then
        raise exception 'the calendar version of this conflict has no valid start/end' using errcode = '22023';
      end if;
      update public.appointments a
         set title       = case when nullif(btrim(v_ev ->> 'title'), '') is null then '(no title)' else v_ev ->> 'title' end,
             description = nullif(v_ev ->> 'description', ''),
             location    = nullif(v_ev ->> 'location', ''),
             start_time  = v_start,
             end_time    = v_end,
             all_day     = coalesce(v_ev -> 'all_day' = 'true'::jsonb, false),
             time_zone   = coalesce(nullif(btrim(v_ev ->> 'time_zone'), ''), a.time_zone),
             deleted_at  = null
       where a.organization_id = v_org and a.id = v_c.appointment_id
      returning a.crm_version into v_version;
    else
      update public.appointments a
         set deleted_at = coalesce(a.deleted_at, now())
       where a.organization_id = v_org and a.id = v_c.appointment_id
      returning a.crm_version into v_version;
    end if;

    update public.calendar_event_mappings m
       set etag               = v_c.remote_etag,
           synced_crm_version = v_version,
           remote_deleted     = not v_live,
           remote_updated_at  = coalesce(private.calendar_timestamptz_safe(v_ev ->> 'updated'), m.remote_updated_at),
           sync_status        = 'synced',
           sync_direction     = 'import',
           last_synced        = now(),
           error_message      = null
     where m.organization_id = v_org and m.id = v_c.mapping_id;
  else
    update public.calendar_event_mappings m
       set etag               = v_c.remote_etag,
           remote_deleted     = not v_live,
           synced_crm_version = least(coalesce(m.synced_crm_version, 0), a.crm_version - 1),
           sync_status        = 'pending',
           error_message      = null
      from public.appointments a
     where m.organization_id = v_org and m.id = v_c.mapping_id
       and a.organization_id = v_org and a.id = m.appointment_id;

    update public.calendar_accounts a
       set sync_requested_at = now(), next_sync_at = now()
     where a.organization_id = v_org and a.id = v_c.calendar_account_id;
    perform pg_catalog.pg_notify('crmsync_sync_requested', v_c.calendar_account_id::text);
  end if;

  update public.calendar_conflicts c
     set resolved_at = now(), resolution = p_keep, resolved_by = v_user
   where c.organization_id = v_org and c.id = v_c.id;

  perform private.write_audit(v_org, 'calendar_conflict.resolved', 'calendar_conflicts', v_c.id,
    jsonb_build_object('resolution', p_keep, 'appointment_id', v_c.appointment_id,
                       'calendar_account_id', v_c.calendar_account_id));
  return true;
end
$$;
comment on function public.resolve_calendar_conflict(uuid, text) is
  'Owner of the account resolves an open calendar conflict: keep_crm (export overwrites the calendar, If-Match on the conflict''s etag) or keep_calendar (the calendar version is applied to the appointment). True when this call resolved it, false when it was already resolved the same way; 55000 when resolved otherwise; 42501 when not the caller''s; audited.';
revoke execute on function public.resolve_calendar_conflict(uuid, text) from public;
grant execute on function public.resolve_calendar_conflict(uuid, text) to authenticated;
