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
