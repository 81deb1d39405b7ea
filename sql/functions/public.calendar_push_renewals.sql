/*
 * public.calendar_push_renewals.sql — Renewal service (crmsync_worker, all organizations):
 * channels to act on — expiring (within p_margin of p_now), calendar_changed (the account now
 * syncs another calendar), failed, orphaned (account disconnected or sync disabled: stop) — and
 * accounts syncing without a live channel (missing). Ids and owners only, never secrets.
 */
set local role crmsync_owner;

-- renewal (cross-tenant) ---------------------------------------------------------------------

create or replace function public.calendar_push_renewals(p_now timestamptz, p_margin interval, p_limit int)
returns table (reason text, channel_id uuid, organization_id uuid, user_id uuid, calendar_account_id uuid,
               provider text, calendar_id text, external_id text, resource_id text, expires_at timestamptz)
language plpgsql
stable
security definer
set search_path = ''
as $$
#variable_conflict use_column
begin
  if p_now is null or p_margin is null or p_limit is null or p_limit < 1 then
    raise exception 'p_now, p_margin and a positive p_limit are required' using errcode = '22023';
  end if;
  return query
  with live as (
    select a.organization_id, a.id, a.user_id, a.provider, a.calendar_id,
           (a.sync_enabled and a.connection_status in ('connected', 'error')) as wanted
      from public.calendar_accounts a
  ),
  channel_work as (
    select case
             when not l.wanted then 'orphaned'
             when c.status = 'failed' then 'failed'
             when c.calendar_id <> l.calendar_id then 'calendar_changed'
             else 'expiring'
           end as reason,
           c.id as channel_id, c.organization_id, l.user_id, c.calendar_account_id, c.provider, c.calendar_id,
           c.external_id, c.resource_id, c.expires_at
      from public.calendar_push_channels c
      join live l on l.organization_id = c.organization_id and l.id = c.calendar_account_id
     where c.status in ('active', 'failed')
       and (not l.wanted or c.status = 'failed' or c.calendar_id <> l.calendar_id or c.expires_at <= p_now + p_margin)
  ),
  missing as (
    select 'missing'::text as reason, null::uuid as channel_id, l.organization_id, l.user_id, l.id as calendar_account_id,
           l.provider, l.calendar_id, null::text as external_id, null::text as resource_id, null::timestamptz as expires_at
      from live l
     where l.wanted
       and not exists (select 1 from public.calendar_push_channels c
                        where c.organization_id = l.organization_id and c.calendar_account_id = l.id
                          and c.status in ('active', 'failed'))
  )
  select * from (select * from channel_work union all select * from missing) w
   order by w.expires_at nulls first, w.calendar_account_id
   limit p_limit;
end
$$;
comment on function public.calendar_push_renewals(timestamptz, interval, int) is
  'Renewal service (crmsync_worker, all organizations): channels to act on — expiring (within p_margin of p_now), calendar_changed (the account now syncs another calendar), failed, orphaned (account disconnected or sync disabled: stop) — and accounts syncing without a live channel (missing). Ids and owners only, never secrets.';
revoke execute on function public.calendar_push_renewals(timestamptz, interval, int) from public;
grant execute on function public.calendar_push_renewals(timestamptz, interval, int) to crmsync_worker;
