/*
 * 260_calendar_push_channels.sql — push notification channels (Google events.watch channels and
 * Microsoft Graph subscriptions) of calendar accounts, and what the webhooks, the renewal
 * service and the API's disconnect do with them.
 *
 * A webhook carries no identity: public.calendar_push_channel_lookup (security definer,
 * crmsync_worker only) finds a channel by provider and external id and returns its owner and
 * the sha256 of its secret (Google channel token / Graph clientState; the secret itself is
 * never stored). The service compares hashes in constant time, then handles the notification
 * in the owner's worker session (public.accept_calendar_push_notification): the account
 * becomes due, and a burst coalesces (NOTIFY only when no request is pending).
 *
 * Channels are written only through these functions (no INSERT/UPDATE/DELETE grant), each
 * checking that the account belongs to auth.uid() in private.current_org_id(), else 42501
 * 'account not found' / 'channel not found'. The renewal service's listing is cross-tenant
 * (like claim_calendar_accounts) and returns ids, never secrets. Times that decide expiry are
 * passed in (p_now) so the service's clock, which tests move, is the one that counts.
 */
set local role crmsync_owner;

create table if not exists public.calendar_push_channels (
  id                   uuid not null default extensions.gen_random_uuid(),
  organization_id      uuid not null references public.organizations (id) on delete cascade,
  calendar_account_id  uuid not null,
  provider             text not null check (provider in ('google', 'outlook')),
  calendar_id          text not null check (length(btrim(calendar_id)) > 0),
  external_id          text not null check (length(external_id) between 1 and 255),
  resource_id          text,
  token_hash           bytea not null check (length(token_hash) = 32),
  expires_at           timestamptz not null,
  status               text not null default 'active'
                       check (status in ('active', 'replaced', 'stopping', 'stopped', 'failed', 'expired')),
  created_at           timestamptz not null default now(),
  renewed_at           timestamptz,
  last_notification_at timestamptz,
  notifications        bigint not null default 0 check (notifications >= 0),
  failure_count        integer not null default 0 check (failure_count >= 0),
  last_error           text,
  updated_at           timestamptz not null default now(),
  primary key (organization_id, id),
  unique (organization_id, provider, external_id),
  foreign key (organization_id, calendar_account_id)
    references public.calendar_accounts (organization_id, id) on delete cascade
);
comment on table public.calendar_push_channels is
  'Push channels of calendar accounts: Google events.watch channels (external_id = channel id, resource_id) and Graph subscriptions (external_id = subscription id). token_hash is sha256 of the channel token / clientState; the secret is not stored.';
comment on column public.calendar_push_channels.calendar_id is 'The provider calendar the channel watches (the account''s calendar_id when it was opened).';
comment on column public.calendar_push_channels.status is
  'active (delivering), replaced (a newer channel took over; stopping it at the provider may still be pending), stopping, stopped, failed (to be replaced), expired.';
comment on column public.calendar_push_channels.notifications is 'Accepted notifications (a rejected one changes nothing).';

-- The webhook finds a channel by provider and external id, without an organization.
create index if not exists calendar_push_channels_external_idx
  on public.calendar_push_channels (provider, external_id);
create index if not exists calendar_push_channels_org_account_idx
  on public.calendar_push_channels (organization_id, calendar_account_id);
create index if not exists calendar_push_channels_live_expiry_idx
  on public.calendar_push_channels (expires_at) where status in ('active', 'failed');

alter table public.calendar_push_channels enable row level security;
alter table public.calendar_push_channels force row level security;

create or replace trigger calendar_push_channels_set_updated_at
  before update on public.calendar_push_channels
  for each row execute function private.set_updated_at();
create or replace trigger calendar_push_channels_forbid_organization_change
  before update on public.calendar_push_channels
  for each row execute function private.forbid_organization_change();

-- helpers ------------------------------------------------------------------------------------

create or replace function private.my_calendar_account(p_account_id uuid)
returns public.calendar_accounts
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_account public.calendar_accounts;
begin
  select a.* into v_account
    from public.calendar_accounts a
   where a.organization_id = private.current_org_id() and a.id = p_account_id and a.user_id = auth.uid();
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  return v_account;
end
$$;
comment on function private.my_calendar_account(uuid) is
  'The caller''s own calendar account in the active organization (42501 ''account not found'' otherwise, whether or not it exists). Holds ciphertext columns: for security definer functions only.';
revoke execute on function private.my_calendar_account(uuid) from public;

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

-- webhooks -----------------------------------------------------------------------------------

create or replace function public.calendar_push_channel_lookup(p_provider text, p_external_id text)
returns table (channel_id uuid, organization_id uuid, user_id uuid, calendar_account_id uuid, token_hash bytea,
               status text, expires_at timestamptz, resource_id text)
language sql
stable
security definer
set search_path = ''
as $$
  select c.id, c.organization_id, a.user_id, c.calendar_account_id, c.token_hash, c.status, c.expires_at, c.resource_id
    from public.calendar_push_channels c
    join public.calendar_accounts a on a.organization_id = c.organization_id and a.id = c.calendar_account_id
   where c.provider = p_provider and c.external_id = p_external_id
   order by (c.status = 'active') desc, c.created_at desc
   limit 1
$$;
comment on function public.calendar_push_channel_lookup(text, text) is
  'Webhook (no identity; crmsync_worker only): the channel with this provider and external id (Google channel id / Graph subscription id), its account''s owner, the sha256 of its secret, status and expiry. The caller compares the presented secret''s hash in constant time before acting.';
revoke execute on function public.calendar_push_channel_lookup(text, text) from public;
grant execute on function public.calendar_push_channel_lookup(text, text) to crmsync_worker;

create or replace function public.accept_calendar_push_notification(p_channel_id uuid, p_mark_due boolean)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_org     uuid := private.current_org_id();
  v_account uuid;
  v_due     boolean;
begin
  update public.calendar_push_channels c
     set notifications        = c.notifications + 1,
         last_notification_at = now()
   where c.organization_id = v_org and c.id = p_channel_id
     and c.calendar_account_id = any (private.my_calendar_account_ids())
     and c.status in ('active', 'replaced', 'stopping')
  returning c.calendar_account_id into v_account;
  if not found then
    raise exception 'channel not found' using errcode = '42501';
  end if;
  if not coalesce(p_mark_due, false) then
    return 'counted';
  end if;
  -- Coalesce: a pending request already woke a worker; this one rides along.
  update public.calendar_accounts a
     set sync_requested_at = now(),
         next_sync_at      = now()
   where a.organization_id = v_org and a.id = v_account and a.user_id = auth.uid()
     and a.sync_enabled and a.connection_status in ('connected', 'error')
     and a.sync_requested_at is null
  returning true into v_due;
  if coalesce(v_due, false) then
    perform pg_catalog.pg_notify('crmsync_sync_requested', v_account::text);
    return 'requested';
  end if;
  return 'coalesced';
end
$$;
comment on function public.accept_calendar_push_notification(uuid, boolean) is
  'A verified notification on a live channel of the caller''s account (owner''s worker session): counted on the channel; with p_mark_due the account becomes due and crmsync_sync_requested is NOTIFYed unless a request is already pending. Returns requested | coalesced | counted.';
revoke execute on function public.accept_calendar_push_notification(uuid, boolean) from public;
grant execute on function public.accept_calendar_push_notification(uuid, boolean) to crmsync_worker;

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

-- disconnect ---------------------------------------------------------------------------------

create or replace function public.disconnect_calendar_account(p_account_id uuid, p_remove_mappings boolean)
returns table (channels_stopped int, mappings_removed int, conflicts_removed int)
language plpgsql
volatile
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_account   public.calendar_accounts := private.my_calendar_account(p_account_id);
  v_channels  int := 0;
  v_mappings  int := 0;
  v_conflicts int := 0;
  v_remove    boolean := coalesce(p_remove_mappings, false);
begin
  update public.calendar_push_channels c
     set status = 'stopped'
   where c.organization_id = v_account.organization_id and c.calendar_account_id = v_account.id
     and c.status not in ('stopped', 'expired');
  get diagnostics v_channels = row_count;

  if v_remove then
    delete from public.calendar_conflicts k
     where k.organization_id = v_account.organization_id and k.calendar_account_id = v_account.id;
    get diagnostics v_conflicts = row_count;
    delete from public.calendar_event_mappings m
     where m.organization_id = v_account.organization_id and m.calendar_account_id = v_account.id;
    get diagnostics v_mappings = row_count;
  end if;

  update public.calendar_accounts a
     set connection_status       = 'disconnected',
         sync_enabled            = false,
         access_token_encrypted  = null,
         refresh_token_encrypted = null,
         token_key_id            = null,
         token_expires_at        = null,
         sync_requested_at       = null,
         next_sync_at            = null,
         lease_owner             = null,
         lease_expires_at        = null,
         sync_cursor             = case when v_remove then null else a.sync_cursor end,
         export_watermark        = case when v_remove then null else a.export_watermark end,
         export_full_scan_at     = case when v_remove then null else a.export_full_scan_at end
   where a.organization_id = v_account.organization_id and a.id = v_account.id;

  perform private.write_audit(v_account.organization_id, 'calendar_account.disconnected', 'calendar_accounts', v_account.id,
    jsonb_build_object('remove_mappings', v_remove, 'channels_stopped', v_channels,
                       'mappings_removed', v_mappings, 'conflicts_removed', v_conflicts));
  channels_stopped := v_channels;
  mappings_removed := v_mappings;
  conflicts_removed := v_conflicts;
  return next;
end
$$;
comment on function public.disconnect_calendar_account(uuid, boolean) is
  'Disconnects the caller''s calendar account: status disconnected, sync disabled, tokens wiped, push channels stopped; its mappings and their conflicts are deleted only when p_remove_mappings (then the cursor and export watermark go too). Appointments stay. Audited. Stop the channels and revoke the grant at the provider before calling (the tokens are gone after).';
revoke execute on function public.disconnect_calendar_account(uuid, boolean) from public;
grant execute on function public.disconnect_calendar_account(uuid, boolean) to authenticated;

-- monitoring ---------------------------------------------------------------------------------

create or replace view public.calendar_push_channel_health
with (security_invoker = true) as
select c.id,
       c.organization_id,
       c.calendar_account_id,
       a.user_id,
       a.email,
       c.provider,
       c.calendar_id,
       c.status,
       c.expires_at,
       (c.status = 'active' and c.expires_at <= now()) as expired,
       c.created_at,
       c.renewed_at,
       c.last_notification_at,
       c.notifications,
       c.failure_count,
       c.last_error
  from public.calendar_push_channels c
  join public.calendar_accounts a on a.organization_id = c.organization_id and a.id = c.calendar_account_id;
comment on view public.calendar_push_channel_health is
  'Push channels and subscriptions per calendar account: status, expiry, renewals, notifications, failures (no secrets, no external ids).';
