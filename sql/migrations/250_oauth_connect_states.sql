/*
 * 250_oauth_connect_states.sql — the browser OAuth connect flow's pending authorizations.
 *
 * POST /v1/calendar/accounts/connect (a person, authenticated) calls begin_calendar_connect:
 * it records who started the flow (user, active organization), for which provider and
 * calendar, the sha256 of the OAuth `state` (the state itself is never stored) and the PKCE
 * code verifier encrypted with the transaction key (the private.encrypt_secret pattern), valid for
 * 10 minutes. The provider then redirects the browser to GET /oauth/{provider}/callback, which
 * carries no JWT: the state alone binds the callback to that user and organization. The
 * service (crmsync_worker, no identity) calls consume_calendar_connect(state): single use,
 * marked consumed by the same statement that finds it, even when it has expired; it answers
 * with an outcome ('ok', 'unknown', 'used', 'expired', 'invalid') instead of an error, so the
 * consumption is never rolled back. Only 'ok' returns the bound identity and the decrypted
 * verifier. finish_calendar_connect records how the flow ended, in the owner's session.
 *
 * States older than a day are purged by every begin. A person may read their own states
 * (never the ciphertext or the hash); nobody writes the table except through these functions.
 */
set local role crmsync_owner;

create table if not exists public.oauth_connect_states (
  id                      uuid not null default extensions.gen_random_uuid(),
  organization_id         uuid not null references public.organizations (id) on delete cascade,
  user_id                 uuid not null,
  provider                text not null check (provider in ('google', 'outlook')),
  state_hash              bytea not null check (length(state_hash) = 32),
  code_verifier_encrypted bytea not null,
  token_key_id            text not null,
  calendar_id             text not null default 'primary' check (length(btrim(calendar_id)) between 1 and 1024),
  created_at              timestamptz not null default now(),
  expires_at              timestamptz not null,
  consumed_at             timestamptz,
  outcome                 text check (outcome ~ '^[a-z_]{1,40}$'),
  calendar_account_id     uuid,
  primary key (organization_id, id),
  unique (organization_id, state_hash),
  foreign key (organization_id, user_id) references public.user_organizations (organization_id, user_id) on delete cascade,
  foreign key (organization_id, calendar_account_id)
    references public.calendar_accounts (organization_id, id) on delete set null (calendar_account_id),
  check (expires_at > created_at)
);
comment on table public.oauth_connect_states is
  'Pending browser OAuth connect flows: sha256 of the state, encrypted PKCE verifier, the user/organization that started it; single use, 10 minutes. Written only by begin/consume/finish_calendar_connect.';
comment on column public.oauth_connect_states.state_hash is 'sha256 of the OAuth state parameter; the state itself is never stored.';
comment on column public.oauth_connect_states.code_verifier_encrypted is 'PKCE code verifier, pgcrypto ciphertext under the key with fingerprint token_key_id.';
comment on column public.oauth_connect_states.outcome is
  'How the flow ended: connected, or an error code (access_denied, state_expired, provider_mismatch, exchange_failed, ...); null while pending.';

-- the callback looks a state up by its hash without knowing the organization
create index if not exists oauth_connect_states_state_hash_idx on public.oauth_connect_states (state_hash);
create index if not exists oauth_connect_states_org_user_idx on public.oauth_connect_states (organization_id, user_id, created_at desc);
create index if not exists oauth_connect_states_created_at_idx on public.oauth_connect_states (created_at);
create index if not exists oauth_connect_states_account_idx
  on public.oauth_connect_states (organization_id, calendar_account_id) where calendar_account_id is not null;

alter table public.oauth_connect_states enable row level security;
alter table public.oauth_connect_states force row level security;
