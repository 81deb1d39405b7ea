/*
 * 120_email_accounts.sql — a user's connected mailbox (Gmail, Outlook, Apple/iCloud, any IMAP).
 *
 * Apple and generic IMAP accounts need IMAP and SMTP endpoints (checked). The IMAP password and
 * OAuth tokens are pgcrypto ciphertext tagged with token_key_id, written and read only through
 * the functions of 170_secret_api.sql; *_encrypted columns are never granted to client roles.
 */
set local role crmsync_owner;

create table if not exists public.email_accounts (
  id                      uuid not null default extensions.gen_random_uuid(),
  organization_id         uuid not null references public.organizations (id) on delete cascade,
  user_id                 uuid not null,
  provider                text not null check (provider in ('gmail', 'outlook', 'apple', 'imap')),
  email                   text not null check (position('@' in email) > 1),
  display_name            text,
  imap_host               text,
  imap_port               integer check (imap_port between 1 and 65535),
  imap_username           text,
  imap_use_tls            boolean not null default true,
  smtp_host               text,
  smtp_port               integer check (smtp_port between 1 and 65535),
  smtp_username           text,
  smtp_use_starttls       boolean not null default true,
  password_encrypted      bytea,
  access_token_encrypted  bytea,
  refresh_token_encrypted bytea,
  token_key_id            text,
  token_expires_at        timestamptz,
  connection_status       text not null default 'pending'
                          check (connection_status in ('pending', 'connected', 'needs_reauth', 'disconnected', 'error')),
  sync_enabled            boolean not null default true,
  last_sync_at            timestamptz,
  last_sync_status        text,
  sync_cursor             text,
  consecutive_failures    integer not null default 0 check (consecutive_failures >= 0),
  next_sync_at            timestamptz,
  created_at              timestamptz not null default now(),
  updated_at              timestamptz not null default now(),
  primary key (organization_id, id),
  unique (organization_id, user_id, email),
  constraint email_accounts_imap_settings_required check (
    provider not in ('apple', 'imap')
    or (imap_host is not null and imap_port is not null and imap_username is not null
        and smtp_host is not null and smtp_port is not null)),
  constraint email_accounts_key_id_with_secret check (
    (password_encrypted is null and access_token_encrypted is null and refresh_token_encrypted is null)
    or token_key_id is not null)
);
comment on table public.email_accounts is
  'Connected mailboxes (gmail|outlook|apple|imap). Password/token columns are ciphertext, readable only via functions.';
comment on column public.email_accounts.token_key_id is 'Fingerprint (private.token_key_id) of the key that encrypted the secrets.';

create index if not exists email_accounts_org_user_idx on public.email_accounts (organization_id, user_id);
create index if not exists email_accounts_next_sync_idx on public.email_accounts (next_sync_at) where sync_enabled;
create index if not exists email_accounts_token_key_id_idx on public.email_accounts (token_key_id) where token_key_id is not null;

alter table public.email_accounts enable row level security;
alter table public.email_accounts force row level security;
