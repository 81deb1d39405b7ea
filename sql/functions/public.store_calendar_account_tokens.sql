/*
 * public.store_calendar_account_tokens.sql — Encrypts and stores the caller's calendar account
 * tokens (null = keep); marks the account connected; audited.
 */
set local role crmsync_owner;

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
