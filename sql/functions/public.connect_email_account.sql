/*
 * public.connect_email_account.sql — Connects (or reconnects) the caller's mailbox for one
 * address in the active organization: inserts or updates the account's provider and IMAP/SMTP
 * settings, encrypts the password/tokens given (null = keep the stored one), marks it
 * connected and due now (next_sync_at = now()), its push registration forgotten (the next sync
 * makes a fresh one under the new grant); audited. Returns the account id.
 *
 * Called only after the engine verified the login against the server, so 'connected' is true
 * when it is written. Security definer: the ciphertext columns are granted to nobody; the
 * explicit filter (active organization, auth.uid()) is the check, and the caller needs the
 * key in the transaction (crmsync.token_key; CSK01 otherwise).
 */
set local role crmsync_owner;

create or replace function public.connect_email_account(
  p_provider          text,
  p_email             text,
  p_display_name      text,
  p_imap_host         text,
  p_imap_port         int,
  p_imap_username     text,
  p_imap_use_tls      boolean,
  p_smtp_host         text,
  p_smtp_port         int,
  p_smtp_username     text,
  p_smtp_use_starttls boolean,
  p_password          text,
  p_access_token      text,
  p_refresh_token     text,
  p_expires_at        timestamptz
) returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_org    uuid := private.current_org_id();
  v_user   uuid := auth.uid();
  v_email  text := btrim(p_email);
  v_key_id text;
  v_acc    public.email_accounts%rowtype;
  v_new    boolean;
begin
  if v_org is null or v_user is null then
    raise exception 'no identity: a user of the active organization must connect the account' using errcode = '42501';
  end if;
  if p_provider is null or p_provider not in ('gmail', 'outlook', 'apple', 'imap') then
    raise exception 'p_provider must be gmail, outlook, apple or imap' using errcode = '22023';
  end if;
  if v_email is null or position('@' in v_email) < 2 then
    raise exception 'p_email must be an email address' using errcode = '22023';
  end if;
  if p_provider in ('apple', 'imap')
     and (nullif(btrim(p_imap_host), '') is null or p_imap_port is null or nullif(btrim(p_imap_username), '') is null
          or nullif(btrim(p_smtp_host), '') is null or p_smtp_port is null) then
    raise exception 'an % account needs the IMAP host, port and username and the SMTP host and port', p_provider
      using errcode = '22023';
  end if;
  if (p_imap_port is not null and p_imap_port not between 1 and 65535)
     or (p_smtp_port is not null and p_smtp_port not between 1 and 65535) then
    raise exception 'ports must be between 1 and 65535' using errcode = '22023';
  end if;
  v_key_id := private.token_key_id(private.token_key());

  select a.* into v_acc
    from public.email_accounts a
   where a.organization_id = v_org and a.user_id = v_user and lower(a.email) = lower(v_email)
   order by a.created_at
   limit 1
     for update;
  v_new := not found;
  if (p_password is null and p_access_token is null)
     and (v_new or (v_acc.password_encrypted is null and v_acc.access_token_encrypted is null)) then
    raise exception 'a password or an access token is required' using errcode = '22023';
  end if;

  if v_new then
    insert into public.email_accounts (organization_id, user_id, provider, email, display_name,
                                       imap_host, imap_port, imap_username, imap_use_tls,
                                       smtp_host, smtp_port, smtp_username, smtp_use_starttls,
                                       password_encrypted, access_token_encrypted, refresh_token_encrypted,
                                       token_key_id, token_expires_at, connection_status, sync_enabled, next_sync_at)
    values (v_org, v_user, p_provider, v_email, p_display_name,
            p_imap_host, p_imap_port, p_imap_username, coalesce(p_imap_use_tls, true),
            p_smtp_host, p_smtp_port, p_smtp_username, coalesce(p_smtp_use_starttls, true),
            private.encrypt_secret(p_password), private.encrypt_secret(p_access_token),
            private.encrypt_secret(p_refresh_token),
            v_key_id, p_expires_at, 'connected', true, now())
    returning * into v_acc;
  else
    update public.email_accounts a
       set provider                = p_provider,
           display_name            = coalesce(p_display_name, a.display_name),
           imap_host               = p_imap_host,
           imap_port               = p_imap_port,
           imap_username           = p_imap_username,
           imap_use_tls            = coalesce(p_imap_use_tls, true),
           smtp_host               = p_smtp_host,
           smtp_port               = p_smtp_port,
           smtp_username           = p_smtp_username,
           smtp_use_starttls       = coalesce(p_smtp_use_starttls, true),
           password_encrypted      = private.keep_or_encrypt(p_password, v_acc.password_encrypted, v_acc.token_key_id, v_key_id),
           access_token_encrypted  = private.keep_or_encrypt(p_access_token, v_acc.access_token_encrypted, v_acc.token_key_id, v_key_id),
           refresh_token_encrypted = private.keep_or_encrypt(p_refresh_token, v_acc.refresh_token_encrypted, v_acc.token_key_id, v_key_id),
           token_key_id            = v_key_id,
           token_expires_at        = case when p_access_token is not null then p_expires_at
                                          else coalesce(p_expires_at, v_acc.token_expires_at) end,
           connection_status       = 'connected',
           sync_enabled            = true,
           consecutive_failures    = 0,
           last_error              = null,
           next_sync_at            = now(),
           -- the push registration was made under the old grant, which may be gone: the next
           -- sync registers a fresh one
           push_expires_at         = null,
           push_subscription_id    = null,
           push_secret_hash        = null
     where a.organization_id = v_acc.organization_id and a.id = v_acc.id;
  end if;

  perform private.write_audit(v_org, 'email_account.connect', 'email_accounts', v_acc.id,
    jsonb_build_object('provider', p_provider, 'email', v_email, 'new', v_new,
                       'password_replaced', p_password is not null,
                       'access_token_replaced', p_access_token is not null,
                       'refresh_token_replaced', p_refresh_token is not null,
                       'expires_at', p_expires_at, 'key_id', v_key_id));
  return v_acc.id;
end
$$;
comment on function public.connect_email_account(text, text, text, text, int, text, boolean, text, int, text, boolean, text, text, text, timestamptz) is
  'Connects (or reconnects) the caller''s mailbox for p_email in the active organization: settings, encrypted password/tokens (null = keep), status connected, due now; audited. Call only after the engine verified the login. Returns the account id.';
revoke execute on function public.connect_email_account(text, text, text, text, int, text, boolean, text, int, text, boolean, text, text, text, timestamptz) from public;
grant execute on function public.connect_email_account(text, text, text, text, int, text, boolean, text, int, text, boolean, text, text, text, timestamptz) to authenticated, crmsync_worker;
