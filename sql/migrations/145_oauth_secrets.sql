/*
 * 145_oauth_secrets.sql — OAuth client credentials (client id + encrypted client secret).
 *
 * organization_id null = the platform's own OAuth app; a value = that organization's own app,
 * preferred when present. RLS is enabled and forced with NO policies and NO grants to client
 * roles: only public.set_oauth_client() and public.oauth_client_credentials() touch it.
 */
set local role crmsync_owner;

create table if not exists public.oauth_secrets (
  id                      uuid primary key default extensions.gen_random_uuid(),
  organization_id         uuid references public.organizations (id) on delete cascade,
  provider                text not null check (provider in ('google', 'microsoft')),
  client_id               text not null check (length(btrim(client_id)) > 0),
  client_secret_encrypted bytea not null,
  key_id                  text not null,
  created_at              timestamptz not null default now(),
  updated_at              timestamptz not null default now(),
  constraint oauth_secrets_organization_provider_key unique nulls not distinct (organization_id, provider)
);
comment on table public.oauth_secrets is
  'OAuth client credentials per provider: organization_id null = platform app. No client access; functions only.';
comment on column public.oauth_secrets.key_id is 'Fingerprint (private.token_key_id) of the key that encrypted client_secret_encrypted.';

create index if not exists oauth_secrets_key_id_idx on public.oauth_secrets (key_id);

alter table public.oauth_secrets enable row level security;
alter table public.oauth_secrets force row level security;
