/*
 * public.apply_email_folder_changes.sql — what changed in one folder of the caller's account
 * besides new mail: flags (CONDSTORE `CHANGEDSINCE`) and expunges (QRESYNC `VANISHED`, or the
 * UID diff against email_folder_uids), with the folder's new cursor, in one call.
 *
 *   p_flags    [{uid, flags[], modseq}]: the location's flags (sorted) and modseq; the
 *              message's is_read follows (\Seen in any location). Unknown UIDs are ignored.
 *   p_expunged UIDs gone from the folder: their locations are dropped; a message left in no
 *              folder gets expunged_at = now() (marked, never deleted) and counts as deleted.
 *   p_cursor   as in import_email_messages (never backwards; 55000 on another UIDVALIDITY).
 * Returns (updated, deleted): messages whose location flags or is_read changed, and messages
 * newly marked expunged. Set-based, idempotent (a replay returns (0, 0)); SECURITY INVOKER
 * under the worker's policies, with explicit checks (42501 for another account or folder,
 * 22023 for bad input).
 */
set local role crmsync_owner;

create or replace function public.apply_email_folder_changes(
  p_account  uuid,
  p_folder   uuid,
  p_flags    jsonb,
  p_expunged bigint[],
  p_cursor   jsonb
) returns table (updated int, deleted int)
language plpgsql
volatile
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_org        uuid := private.current_org_id();
  v_folder     public.email_folders;
  v_has_cursor boolean := false;
  v_uidv       bigint;
  v_last_uid   bigint;
  v_modseq     bigint;
  v_full_scan  boolean;
  v_bad        text;
  v_flagged    uuid[] := '{}';
  v_dropped    uuid[] := '{}';
  v_read       uuid[] := '{}';
  v_gone       uuid[] := '{}';
begin
  v_folder := private.my_email_folder(p_account, p_folder);
  if p_flags is not null and jsonb_typeof(p_flags) not in ('array', 'null') then
    raise exception 'p_flags must be a JSON array of {uid, flags, modseq}' using errcode = '22023';
  end if;
  select c.uidvalidity, c.last_uid, c.highestmodseq, c.full_scan, true
    into v_uidv, v_last_uid, v_modseq, v_full_scan, v_has_cursor
    from private.email_folder_cursor(p_cursor, v_folder.uidvalidity) c;

  select format('p_flags[%s]: %s', e.n - 1, p.problem) into v_bad
    from jsonb_array_elements(case when jsonb_typeof(p_flags) = 'array' then p_flags else '[]'::jsonb end)
         with ordinality as e (m, n)
   cross join lateral (
          select case
                   when jsonb_typeof(e.m) <> 'object' then 'not an object'
                   -- (nested CASEs: the casts run only on JSON numbers)
                   when case when jsonb_typeof(e.m -> 'uid') = 'number'
                             then (e.m ->> 'uid') !~ '^[0-9]+$'
                                  or (e.m ->> 'uid')::numeric not between 1 and 9223372036854775807
                             else true end
                     then 'uid must be a positive whole number'
                   when coalesce(jsonb_typeof(e.m -> 'flags'), 'null') <> 'array' then 'flags must be an array'
                   when coalesce(jsonb_typeof(e.m -> 'modseq'), 'null') not in ('number', 'null')
                        or (jsonb_typeof(e.m -> 'modseq') = 'number' and (e.m ->> 'modseq') !~ '^[0-9]+$')
                     then 'modseq must be a whole number or null'
                 end as problem
        ) p
   where p.problem is not null
   order by e.n
   limit 1;
  if v_bad is null then
    select format('p_flags: uid %s appears more than once', e.m ->> 'uid') into v_bad
      from jsonb_array_elements(case when jsonb_typeof(p_flags) = 'array' then p_flags else '[]'::jsonb end) as e (m)
     group by e.m ->> 'uid' having count(*) > 1 limit 1;
  end if;
  if v_bad is null and exists (select 1 from unnest(p_expunged) u where u is null or u < 1) then
    v_bad := 'p_expunged must hold positive UIDs';
  end if;
  if v_bad is not null then
    raise exception '%', v_bad using errcode = '22023';
  end if;

  -- Flags of known locations (an expunged UID's flags do not matter).
  begin
    with changes as (
      select (e.m ->> 'uid')::bigint as uid, private.email_flags(e.m -> 'flags') as flags,
             (e.m ->> 'modseq')::bigint as modseq
        from jsonb_array_elements(case when jsonb_typeof(p_flags) = 'array' then p_flags else '[]'::jsonb end) as e (m)
    ),
    up as (
      update public.email_message_locations l
         set flags  = c.flags,
             modseq = coalesce(c.modseq, l.modseq)
        from changes c
       where l.organization_id = v_org and l.folder_id = p_folder and l.uid = c.uid
         and not (c.uid = any (coalesce(p_expunged, '{}')))
         and (l.flags, l.modseq) is distinct from (c.flags, coalesce(c.modseq, l.modseq))
      returning l.email_message_id
    )
    select coalesce(array_agg(distinct u.email_message_id), '{}') into v_flagged from up u;
  exception when data_exception then
    raise exception 'p_flags: a value is not valid (%)', sqlerrm using errcode = '22023';
  end;

  -- Expunged UIDs: their locations go.
  if cardinality(p_expunged) > 0 then
    with dropped as (
      delete from public.email_message_locations l
       where l.organization_id = v_org and l.folder_id = p_folder and l.uid = any (p_expunged)
      returning l.email_message_id
    )
    select coalesce(array_agg(distinct d.email_message_id), '{}') into v_dropped from dropped d;
  end if;

  -- is_read follows the remaining locations; a message in no folder keeps its last value.
  if cardinality(v_flagged) > 0 or cardinality(v_dropped) > 0 then
    with up as (
      update public.email_messages m
         set is_read = x.seen
        from (select l.email_message_id as id,
                     bool_or(exists (select 1 from unnest(l.flags) f where lower(f) = '\seen')) as seen
                from public.email_message_locations l
               where l.organization_id = v_org and l.email_message_id = any (v_flagged || v_dropped)
               group by l.email_message_id) x
       where m.organization_id = v_org and m.email_account_id = p_account and m.id = x.id
         and m.is_read is distinct from x.seen
      returning m.id
    )
    select coalesce(array_agg(u.id), '{}') into v_read from up u;
  end if;

  -- Messages in no folder any more: marked, never deleted.
  if cardinality(v_dropped) > 0 then
    with up as (
      update public.email_messages m
         set expunged_at = now()
       where m.organization_id = v_org and m.email_account_id = p_account and m.id = any (v_dropped)
         and m.expunged_at is null
         and not exists (select 1 from public.email_message_locations l
                          where l.organization_id = v_org and l.email_message_id = m.id)
      returning m.id
    )
    select coalesce(array_agg(u.id), '{}') into v_gone from up u;
  end if;

  if v_has_cursor then
    update public.email_folders f
       set uidvalidity       = coalesce(v_uidv, f.uidvalidity),
           last_uid          = greatest(f.last_uid, coalesce(v_last_uid, 0)),
           highestmodseq     = greatest(f.highestmodseq, v_modseq),
           last_full_scan_at = case when v_full_scan then now() else f.last_full_scan_at end
     where f.organization_id = v_org and f.id = p_folder
       and (v_full_scan
            or (f.uidvalidity, f.last_uid, f.highestmodseq)
               is distinct from (coalesce(v_uidv, f.uidvalidity), greatest(f.last_uid, coalesce(v_last_uid, 0)),
                                 greatest(f.highestmodseq, v_modseq)));
  end if;

  return query
    select (select count(distinct x)::int from unnest(v_flagged || v_read) x where not (x = any (v_gone))),
           cardinality(v_gone);
end
$$;
comment on function public.apply_email_folder_changes(uuid, uuid, jsonb, bigint[], jsonb) is
  'Applies flag changes [{uid, flags, modseq}] and expunged UIDs of one folder of the caller''s account, and its cursor (set-based, idempotent, under RLS): is_read follows \Seen, messages in no folder get expunged_at. Returns (updated, deleted).';
revoke execute on function public.apply_email_folder_changes(uuid, uuid, jsonb, bigint[], jsonb) from public;
grant execute on function public.apply_email_folder_changes(uuid, uuid, jsonb, bigint[], jsonb) to crmsync_worker;
