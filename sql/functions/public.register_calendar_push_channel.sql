/*
 * public.register_calendar_push_channel.sql — Records a channel/subscription just opened at the
 * provider for the caller's calendar account (provider and calendar from the account), with
 * sha256 of its secret; p_replaces marks the channel it takes over as replaced. Returns its id.
 */
set local role crmsync_owner;

-- channels of the caller's account (worker session) -----------------------------------------

create or replace function public.register_calendar_push_channel(
  p_account_id  uuid,
  p_external_id text,
  p_resource_id text,
  p_token_hash  bytea,
  p_expires_at  timestamptz,
  p_replaces    uuid default null
) returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_account public.calendar_accounts := private.my_calendar_account(p_account_id);
  v_id      uuid;
begin
  if p_token_hash is null or length(p_token_hash) <> 32 then
    raise exception 'p_token_hash must be a sha256 digest (32 bytes)' using errcode = '22023';
  end if;
  if p_expires_at is null then
    raise exception 'p_expires_at is required' using errcode = '22023';
  end if;
  -- A provider may hand out an id we recorded before (a subscription id reused after its
  -- predecessor ended, a sandbox restarted with the same seed): that row is this channel now.
  insert into public.calendar_push_channels as c
         (organization_id, calendar_account_id, provider, calendar_id, external_id, resource_id, token_hash, expires_at)
  values (v_account.organization_id, v_account.id, v_account.provider, v_account.calendar_id, p_external_id,
          p_resource_id, p_token_hash, p_expires_at)
  on conflict (organization_id, provider, external_id) do update
     set calendar_id = excluded.calendar_id, resource_id = excluded.resource_id, token_hash = excluded.token_hash,
         expires_at = excluded.expires_at, status = 'active', renewed_at = now(), failure_count = 0, last_error = null
   where c.calendar_account_id = excluded.calendar_account_id
  returning id into v_id;
  if v_id is null then
    raise exception 'external id already belongs to another account' using errcode = '23505';
  end if;
  if p_replaces is not null and p_replaces <> v_id then
    update public.calendar_push_channels c
       set status = 'replaced'
     where c.organization_id = v_account.organization_id and c.calendar_account_id = v_account.id
       and c.id = p_replaces and c.status in ('active', 'failed', 'expired');
  end if;
  return v_id;
end
$$;
comment on function public.register_calendar_push_channel(uuid, text, text, bytea, timestamptz, uuid) is
  'Records a channel/subscription just opened at the provider for the caller''s calendar account (provider and calendar from the account), with sha256 of its secret; p_replaces marks the channel it takes over as replaced. Returns its id.';
revoke execute on function public.register_calendar_push_channel(uuid, text, text, bytea, timestamptz, uuid) from public;
grant execute on function public.register_calendar_push_channel(uuid, text, text, bytea, timestamptz, uuid) to crmsync_worker;
