/*
 * 170_secret_api.sql — the only doors to secrets: store and read account tokens/passwords and
 * OAuth client credentials.
 *
 * Security definer (run as crmsync_owner), search_path ''. Account functions require that
 * auth.uid() owns the account AND that it belongs to private.current_org_id(); otherwise they
 * raise 42501 'account not found' whether or not the account exists. Each call writes an audit
 * row (reads: action 'secret.read'); audit details hold fingerprints and flags, never secrets.
 * Store functions: a null argument keeps the stored value (a kept value must have been
 * encrypted with this transaction's key, else CSK02). Readers are for crmsync_worker only.
 */
set local role crmsync_owner;

create or replace function private.keep_or_encrypt(p_new text, p_old bytea, p_old_key_id text, p_key_id text)
returns bytea
language plpgsql
volatile
set search_path = ''
as $$
begin
  if p_new is not null then
    return private.encrypt_secret(p_new);
  elsif p_old is null then
    return null;
  elsif p_old_key_id = p_key_id then
    return p_old;
  end if;
  raise exception 'secret was encrypted with key %, this transaction holds key %', coalesce(p_old_key_id, '(none)'), p_key_id
    using errcode = 'CSK02';
end
$$;
comment on function private.keep_or_encrypt(text, bytea, text, text) is
  'Store helper: encrypts p_new, or keeps p_old when p_new is null (CSK02 if p_old was encrypted with another key).';
revoke execute on function private.keep_or_encrypt(text, bytea, text, text) from public;

-- calendar accounts --------------------------------------------------------------------------

create or replace function public.store_calendar_account_tokens(
  p_account_id    uuid,
  p_access_token  text,
  p_refresh_token text,
  p_expires_at    timestamptz
) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_org    uuid := private.current_org_id();
  v_acc    public.calendar_accounts%rowtype;
  v_key_id text;
begin
  select a.* into v_acc
    from public.calendar_accounts a
   where a.organization_id = v_org and a.id = p_account_id and a.user_id = auth.uid()
   for update;
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  v_key_id := private.token_key_id(private.token_key());

  update public.calendar_accounts a
     set access_token_encrypted  = private.keep_or_encrypt(p_access_token, v_acc.access_token_encrypted, v_acc.token_key_id, v_key_id),
         refresh_token_encrypted = private.keep_or_encrypt(p_refresh_token, v_acc.refresh_token_encrypted, v_acc.token_key_id, v_key_id),
         token_key_id            = v_key_id,
         token_expires_at        = case when p_access_token is not null then p_expires_at
                                        else coalesce(p_expires_at, v_acc.token_expires_at) end,
         connection_status       = 'connected'
   where a.organization_id = v_acc.organization_id and a.id = v_acc.id;

  perform private.write_audit(v_acc.organization_id, 'calendar_account.tokens_stored', 'calendar_accounts', v_acc.id,
    jsonb_build_object('access_token_replaced', p_access_token is not null,
                       'refresh_token_replaced', p_refresh_token is not null,
                       'expires_at', p_expires_at, 'key_id', v_key_id));
end
$$;
comment on function public.store_calendar_account_tokens(uuid, text, text, timestamptz) is
  'Encrypts and stores the caller''s calendar account tokens (null = keep); marks the account connected; audited.';
revoke execute on function public.store_calendar_account_tokens(uuid, text, text, timestamptz) from public;
grant execute on function public.store_calendar_account_tokens(uuid, text, text, timestamptz) to authenticated, crmsync_worker;

create or replace function public.calendar_account_tokens(p_account_id uuid)
returns table (access_token text, refresh_token text, expires_at timestamptz)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_acc public.calendar_accounts%rowtype;
begin
  select a.* into v_acc
    from public.calendar_accounts a
   where a.organization_id = private.current_org_id() and a.id = p_account_id and a.user_id = auth.uid();
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  access_token  := private.decrypt_secret(v_acc.access_token_encrypted, v_acc.token_key_id);
  refresh_token := private.decrypt_secret(v_acc.refresh_token_encrypted, v_acc.token_key_id);
  expires_at    := v_acc.token_expires_at;
  perform private.write_audit(v_acc.organization_id, 'secret.read', 'calendar_accounts', v_acc.id,
    jsonb_build_object('secret', 'calendar_account_tokens', 'key_id', v_acc.token_key_id));
  return next;
end
$$;
comment on function public.calendar_account_tokens(uuid) is
  'Decrypted tokens of the caller''s calendar account (crmsync_worker only); audited as secret.read.';
revoke execute on function public.calendar_account_tokens(uuid) from public;
grant execute on function public.calendar_account_tokens(uuid) to crmsync_worker;

-- email accounts -----------------------------------------------------------------------------

create or replace function public.store_email_account_secrets(
  p_account_id    uuid,
  p_password      text,
  p_access_token  text,
  p_refresh_token text,
  p_expires_at    timestamptz
) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_org    uuid := private.current_org_id();
  v_acc    public.email_accounts%rowtype;
  v_key_id text;
begin
  select a.* into v_acc
    from public.email_accounts a
   where a.organization_id = v_org and a.id = p_account_id and a.user_id = auth.uid()
   for update;
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  v_key_id := private.token_key_id(private.token_key());

  update public.email_accounts a
     set password_encrypted      = private.keep_or_encrypt(p_password, v_acc.password_encrypted, v_acc.token_key_id, v_key_id),
         access_token_encrypted  = private.keep_or_encrypt(p_access_token, v_acc.access_token_encrypted, v_acc.token_key_id, v_key_id),
         refresh_token_encrypted = private.keep_or_encrypt(p_refresh_token, v_acc.refresh_token_encrypted, v_acc.token_key_id, v_key_id),
         token_key_id            = v_key_id,
         token_expires_at        = case when p_access_token is not null then p_expires_at
                                        else coalesce(p_expires_at, v_acc.token_expires_at) end,
         connection_status       = 'connected'
   where a.organization_id = v_acc.organization_id and a.id = v_acc.id;

  perform private.write_audit(v_acc.organization_id, 'email_account.secrets_stored', 'email_accounts', v_acc.id,
    jsonb_build_object('password_replaced', p_password is not null,
                       'access_token_replaced', p_access_token is not null,
                       'refresh_token_replaced', p_refresh_token is not null,
                       'expires_at', p_expires_at, 'key_id', v_key_id));
end
$$;
comment on function public.store_email_account_secrets(uuid, text, text, text, timestamptz) is
  'Encrypts and stores the caller''s email account password/tokens (null = keep); marks the account connected; audited.';
revoke execute on function public.store_email_account_secrets(uuid, text, text, text, timestamptz) from public;
grant execute on function public.store_email_account_secrets(uuid, text, text, text, timestamptz) to authenticated, crmsync_worker;

create or replace function public.email_account_secrets(p_account_id uuid)
returns table (password text, access_token text, refresh_token text, expires_at timestamptz)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_acc public.email_accounts%rowtype;
begin
  select a.* into v_acc
    from public.email_accounts a
   where a.organization_id = private.current_org_id() and a.id = p_account_id and a.user_id = auth.uid();
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  password      := private.decrypt_secret(v_acc.password_encrypted, v_acc.token_key_id);
  access_token  := private.decrypt_secret(v_acc.access_token_encrypted, v_acc.token_key_id);
  refresh_token := private.decrypt_secret(v_acc.refresh_token_encrypted, v_acc.token_key_id);
  expires_at    := v_acc.token_expires_at;
  perform private.write_audit(v_acc.organization_id, 'secret.read', 'email_accounts', v_acc.id,
    jsonb_build_object('secret', 'email_account_secrets', 'key_id', v_acc.token_key_id));
  return next;
end
$$;
comment on function public.email_account_secrets(uuid) is
  'Decrypted password/tokens of the caller''s email account (crmsync_worker only); audited as secret.read.';
revoke execute on function public.email_account_secrets(uuid) from public;
grant execute on function public.email_account_secrets(uuid) to crmsync_worker;

-- OAuth clients ------------------------------------------------------------------------------

create or replace function public.set_oauth_client(
  p_provider        text,
  p_client_id       text,
  p_client_secret   text,
  p_organization_id uuid default null
) returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_key_id text := private.token_key_id(private.token_key());
  v_id     uuid;
begin
  if p_client_secret is null or p_client_secret = '' then
    raise exception 'the client secret must not be empty' using errcode = '22004';
  end if;
  insert into public.oauth_secrets as o (organization_id, provider, client_id, client_secret_encrypted, key_id)
  values (p_organization_id, p_provider, p_client_id, private.encrypt_secret(p_client_secret), v_key_id)
  on conflict (organization_id, provider) do update
     set client_id = excluded.client_id,
         client_secret_encrypted = excluded.client_secret_encrypted,
         key_id = excluded.key_id
  returning o.id into v_id;

  perform private.write_audit(p_organization_id, 'oauth_client.set', 'oauth_secrets', v_id,
    jsonb_build_object('provider', p_provider, 'client_id', p_client_id, 'key_id', v_key_id,
                       'scope', case when p_organization_id is null then 'platform' else 'organization' end));
  return v_id;
end
$$;
comment on function public.set_oauth_client(text, text, text, uuid) is
  'Upserts an OAuth client (organization null = platform app), secret encrypted; owner/admin CLI only; audited.';
revoke execute on function public.set_oauth_client(text, text, text, uuid) from public;

create or replace function public.oauth_client_credentials(p_provider text)
returns table (client_id text, client_secret text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_org uuid := private.current_org_id();
  v_row public.oauth_secrets%rowtype;
begin
  if v_org is null then
    raise exception 'no active organization in this transaction' using errcode = '42501';
  end if;
  select o.* into v_row
    from public.oauth_secrets o
   where o.provider = p_provider and (o.organization_id = v_org or o.organization_id is null)
   order by o.organization_id nulls last
   limit 1;
  if not found then
    raise exception 'no OAuth client configured for provider %', p_provider using errcode = 'P0002';
  end if;
  client_id     := v_row.client_id;
  client_secret := private.decrypt_secret(v_row.client_secret_encrypted, v_row.key_id);
  perform private.write_audit(v_org, 'secret.read', 'oauth_secrets', v_row.id,
    jsonb_build_object('secret', 'oauth_client', 'provider', p_provider, 'key_id', v_row.key_id,
                       'scope', case when v_row.organization_id is null then 'platform' else 'organization' end));
  return next;
end
$$;
comment on function public.oauth_client_credentials(text) is
  'OAuth client id and decrypted secret for the active organization (its own app, else the platform''s); crmsync_worker only; audited.';
revoke execute on function public.oauth_client_credentials(text) from public;
grant execute on function public.oauth_client_credentials(text) to crmsync_worker;
