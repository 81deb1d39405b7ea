/*
 * public.email_account_secrets.sql — Decrypted password/tokens of the caller's email account
 * (crmsync_worker only); audited as secret.read.
 */
set local role crmsync_owner;

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
