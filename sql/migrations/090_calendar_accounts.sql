/*
 * 090_calendar_accounts.sql — a user's connected Google/Outlook calendar.
 *
 * Tokens are pgcrypto ciphertext (bytea) tagged with the fingerprint of the key that encrypted
 * them (token_key_id); they are written and read only through the security definer functions
 * of 170_secret_api.sql, and the *_encrypted columns are never granted to client roles.
 */
set local role crmsync_owner;

create table if not exists public.calendar_accounts (
  id                      uuid not null default extensions.gen_random_uuid(),
  organization_id         uuid not null references public.organizations (id) on delete cascade,
  user_id                 uuid not null,
  provider                text not null check (provider in ('google', 'outlook')),
  email                   text not null check (position('@' in email) > 1),
  calendar_id             text not null default 'primary' check (length(btrim(calendar_id)) > 0),
  time_zone               text not null default 'UTC' check (length(btrim(time_zone)) > 0),
  sync_enabled            boolean not null default true,
  connection_status       text not null default 'pending'
                          check (connection_status in ('pending', 'connected', 'needs_reauth', 'disconnected', 'error')),
  last_sync_at            timestamptz,
  last_sync_status        text,
  sync_cursor             text,
  conflict_strategy       text not null default 'manual'
                          check (conflict_strategy in ('crm_wins', 'calendar_wins', 'latest_wins', 'manual')),
  access_token_encrypted  bytea,
  refresh_token_encrypted bytea,
  token_key_id            text,
  token_expires_at        timestamptz,
  consecutive_failures    integer not null default 0 check (consecutive_failures >= 0),
  next_sync_at            timestamptz,
  created_at              timestamptz not null default now(),
  updated_at              timestamptz not null default now(),
  primary key (organization_id, id),
  unique (organization_id, user_id, provider, calendar_id, email),
  constraint calendar_accounts_key_id_with_secret
    check ((access_token_encrypted is null and refresh_token_encrypted is null) or token_key_id is not null)
);
comment on table public.calendar_accounts is
  'Connected calendars (google|outlook) of a user in an organization. Token columns are ciphertext, readable only via functions.';
comment on column public.calendar_accounts.token_key_id is 'Fingerprint (private.token_key_id) of the key that encrypted the tokens.';

create index if not exists calendar_accounts_org_user_idx on public.calendar_accounts (organization_id, user_id);
create index if not exists calendar_accounts_next_sync_idx on public.calendar_accounts (next_sync_at) where sync_enabled;
create index if not exists calendar_accounts_token_key_id_idx on public.calendar_accounts (token_key_id) where token_key_id is not null;

alter table public.calendar_accounts enable row level security;
alter table public.calendar_accounts force row level security;
