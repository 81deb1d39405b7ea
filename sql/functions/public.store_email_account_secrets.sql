/*
 * public.store_email_account_secrets.sql — Encrypts and stores the caller's email account
 * password/tokens (null = keep); marks the account connected; audited.
 */
set local role crmsync_owner;

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
