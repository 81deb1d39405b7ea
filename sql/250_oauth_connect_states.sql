/*
 * 250_oauth_connect_states.sql — the browser OAuth connect flow's pending authorizations.
 *
 * POST /v1/calendar/accounts/connect (a person, authenticated) calls begin_calendar_connect:
 * it records who started the flow (user, active organization), for which provider and
 * calendar, the sha256 of the OAuth `state` (the state itself is never stored) and the PKCE
 * code verifier encrypted with the transaction key (the 160_secrets.sql pattern), valid for
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

create or replace trigger oauth_connect_states_forbid_organization_change
  before update on public.oauth_connect_states
  for each row execute function private.forbid_organization_change();

-- begin --------------------------------------------------------------------------------------

create or replace function public.begin_calendar_connect(
  p_provider      text,
  p_state         text,
  p_code_verifier text,
  p_calendar_id   text default 'primary'
) returns table (id uuid, expires_at timestamptz)
language plpgsql
volatile
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_org     uuid := private.current_org_id();
  v_user    uuid := auth.uid();
  v_key_id  text;
  v_pending int;
  v_id      uuid;
  v_expires timestamptz;
begin
  if v_org is null or v_user is null then
    raise exception 'no member of the active organization in this transaction' using errcode = '42501';
  end if;
  if p_provider is null or p_provider not in ('google', 'outlook') then
    raise exception 'provider must be google or outlook' using errcode = '22023';
  end if;
  if p_state is null or length(p_state) < 32 or length(p_state) > 512 then
    raise exception 'the state must be 32 to 512 characters' using errcode = '22023';
  end if;
  if p_code_verifier is null or p_code_verifier !~ '^[A-Za-z0-9._~-]{43,128}$' then
    raise exception 'the code verifier must be 43 to 128 unreserved characters (RFC 7636)' using errcode = '22023';
  end if;
  if p_calendar_id is not null and length(btrim(p_calendar_id)) not between 1 and 1024 then
    raise exception 'the calendar id must be 1 to 1024 characters' using errcode = '22023';
  end if;
  v_key_id := private.token_key_id(private.token_key());

  -- housekeeping: nothing older than a day is worth keeping, whoever started it
  delete from public.oauth_connect_states s where s.created_at < now() - interval '1 day';

  select count(*) into v_pending
    from public.oauth_connect_states s
   where s.organization_id = v_org and s.user_id = v_user and s.consumed_at is null and s.expires_at > now();
  if v_pending >= 20 then
    raise exception 'too many connect attempts in progress; finish or wait for one to expire' using errcode = '54000';
  end if;

  insert into public.oauth_connect_states as s
         (organization_id, user_id, provider, state_hash, code_verifier_encrypted, token_key_id, calendar_id, expires_at)
  values (v_org, v_user, p_provider, extensions.digest(p_state, 'sha256'), private.encrypt_secret(p_code_verifier),
          v_key_id, coalesce(btrim(p_calendar_id), 'primary'), now() + interval '10 minutes')
  returning s.id, s.expires_at into v_id, v_expires;

  perform private.write_audit(v_org, 'calendar_account.connect_started', 'oauth_connect_states', v_id,
    jsonb_build_object('provider', p_provider, 'calendar_id', coalesce(btrim(p_calendar_id), 'primary'),
                       'expires_at', v_expires, 'key_id', v_key_id));
  id := v_id;
  expires_at := v_expires;
  return next;
end
$$;
comment on function public.begin_calendar_connect(text, text, text, text) is
  'Starts a browser connect flow for the caller in the active organization (42501 when not a member): stores sha256(state) and the encrypted PKCE verifier for 10 minutes; purges states older than a day; at most 20 pending per user (54000); audited.';
revoke execute on function public.begin_calendar_connect(text, text, text, text) from public;
grant execute on function public.begin_calendar_connect(text, text, text, text) to authenticated;

-- consume ------------------------------------------------------------------------------------

create or replace function public.consume_calendar_connect(p_state text)
returns table (
  outcome         text,
  state_id        uuid,
  organization_id uuid,
  user_id         uuid,
  provider        text,
  calendar_id     text,
  code_verifier   text
)
language plpgsql
volatile
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_hash   bytea;
  v_row    public.oauth_connect_states%rowtype;
  v_key_id text := private.token_key_id(private.token_key());
  v_found  int;
begin
  if p_state is null or length(p_state) < 32 or length(p_state) > 512 then
    outcome := 'unknown';
    return next;
    return;
  end if;
  v_hash := extensions.digest(p_state, 'sha256');

  -- two organizations holding the same hash (a 256-bit collision) is treated as unknown
  select count(*) into v_found from public.oauth_connect_states s where s.state_hash = v_hash;
  if v_found <> 1 then
    outcome := 'unknown';
    return next;
    return;
  end if;

  -- single use: whoever marks it first wins; a concurrent second caller waits, then sees it used
  update public.oauth_connect_states s
     set consumed_at = now(),
         outcome     = case when s.expires_at <= now() then 'state_expired'
                            when s.token_key_id <> v_key_id then 'state_invalid' end
   where s.state_hash = v_hash and s.consumed_at is null
  returning s.* into v_row;
  if not found then
    outcome := 'used';
    return next;
    return;
  end if;
  if v_row.expires_at <= now() then
    outcome := 'expired';
    return next;
    return;
  end if;
  if v_row.token_key_id <> v_key_id then
    -- the key was rotated during the flow: the verifier cannot be read any more
    outcome := 'invalid';
    return next;
    return;
  end if;

  outcome         := 'ok';
  state_id        := v_row.id;
  organization_id := v_row.organization_id;
  user_id         := v_row.user_id;
  provider        := v_row.provider;
  calendar_id     := v_row.calendar_id;
  code_verifier   := private.decrypt_secret(v_row.code_verifier_encrypted, v_row.token_key_id);
  perform private.write_audit(v_row.organization_id, 'secret.read', 'oauth_connect_states', v_row.id,
    jsonb_build_object('secret', 'oauth_code_verifier', 'provider', v_row.provider, 'key_id', v_row.token_key_id));
  return next;
end
$$;
comment on function public.consume_calendar_connect(text) is
  'The OAuth callback''s state check (no identity needed; crmsync_worker only): consumes the state in the same statement that finds it, even when expired. outcome ok (with the bound organization, user, provider, calendar and decrypted verifier; audited), unknown, used, expired or invalid (key rotated).';
revoke execute on function public.consume_calendar_connect(text) from public;
grant execute on function public.consume_calendar_connect(text) to crmsync_worker;

-- finish -------------------------------------------------------------------------------------

create or replace function public.finish_calendar_connect(p_state_id uuid, p_outcome text, p_account_id uuid default null)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_org uuid := private.current_org_id();
begin
  if p_outcome is null or p_outcome !~ '^[a-z_]{1,40}$' then
    raise exception 'p_outcome must be a lower-case code' using errcode = '22023';
  end if;
  if (p_outcome = 'connected') <> (p_account_id is not null) then
    raise exception 'an account goes with outcome connected, and only with it' using errcode = '22023';
  end if;
  if p_account_id is not null then
    -- a reconnected account starts afresh: connected, no failures, no stale error
    update public.calendar_accounts a
       set connection_status    = 'connected',
           consecutive_failures = 0,
           last_error           = null
     where a.organization_id = v_org and a.id = p_account_id and a.user_id = auth.uid();
    if not found then
      raise exception 'account not found' using errcode = '42501';
    end if;
  end if;
  update public.oauth_connect_states s
     set outcome             = p_outcome,
         calendar_account_id = p_account_id
   where s.organization_id = v_org and s.id = p_state_id and s.user_id = auth.uid()
     and s.consumed_at is not null and s.outcome is null;
  if not found then
    raise exception 'connect state not found' using errcode = '42501';
  end if;
  perform private.write_audit(v_org, 'calendar_account.connect_finished', 'oauth_connect_states', p_state_id,
    jsonb_build_object('outcome', p_outcome, 'calendar_account_id', p_account_id));
end
$$;
comment on function public.finish_calendar_connect(uuid, text, uuid) is
  'Records how the caller''s consumed connect flow ended (connected with the account, or an error code); a connected account is set back to connected with no failures or stale error (reconnecting one that needed re-authorization). 42501 for another user''s state or account; audited.';
revoke execute on function public.finish_calendar_connect(uuid, text, uuid) from public;
grant execute on function public.finish_calendar_connect(uuid, text, uuid) to authenticated, crmsync_worker;
