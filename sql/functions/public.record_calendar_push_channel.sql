/*
 * public.record_calendar_push_channel.sql — Records what happened to a channel of the caller's
 * account: renewed (active, new expiry, failures reset), replaced, stopping, stopped, failed
 * (failure_count + 1), expired; p_error becomes last_error (no secrets).
 */
set local role crmsync_owner;

create or replace function public.record_calendar_push_channel(
  p_channel_id uuid,
  p_outcome    text,
  p_expires_at timestamptz default null,
  p_error      text default null
) returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_org uuid := private.current_org_id();
begin
  if p_outcome is null or p_outcome not in ('renewed', 'replaced', 'stopping', 'stopped', 'failed', 'expired') then
    raise exception 'p_outcome must be renewed, replaced, stopping, stopped, failed or expired' using errcode = '22023';
  end if;
  update public.calendar_push_channels c
     set status        = case when p_outcome = 'renewed' then 'active' else p_outcome end,
         expires_at    = case when p_outcome = 'renewed' then coalesce(p_expires_at, c.expires_at) else c.expires_at end,
         renewed_at    = case when p_outcome = 'renewed' then now() else c.renewed_at end,
         failure_count = case when p_outcome = 'renewed' then 0
                              when p_outcome = 'failed' then c.failure_count + 1
                              else c.failure_count end,
         last_error    = case when p_error is not null then left(p_error, 2000)
                              when p_outcome = 'renewed' then null
                              else c.last_error end
   where c.organization_id = v_org and c.id = p_channel_id
     and c.calendar_account_id = any (private.my_calendar_account_ids());
  if not found then
    raise exception 'channel not found' using errcode = '42501';
  end if;
end
$$;
comment on function public.record_calendar_push_channel(uuid, text, timestamptz, text) is
  'Records what happened to a channel of the caller''s account: renewed (active, new expiry, failures reset), replaced, stopping, stopped, failed (failure_count + 1), expired; p_error becomes last_error (no secrets).';
revoke execute on function public.record_calendar_push_channel(uuid, text, timestamptz, text) from public;
grant execute on function public.record_calendar_push_channel(uuid, text, timestamptz, text) to crmsync_worker;
