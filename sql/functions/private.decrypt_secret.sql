/*
 * private.decrypt_secret.sql — Decrypts with the transaction key; CSK02 when key_id is not the
 * fingerprint of that key.
 */
set local role crmsync_owner;

create or replace function private.decrypt_secret(ciphertext bytea, key_id text)
returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  v_key    text;
  v_key_id text;
begin
  if ciphertext is null then
    return null;
  end if;
  v_key := private.token_key();
  v_key_id := private.token_key_id(v_key);
  if key_id is distinct from v_key_id then
    raise exception 'secret was encrypted with key %, this transaction holds key %', coalesce(key_id, '(none)'), v_key_id
      using errcode = 'CSK02';
  end if;
  return extensions.pgp_sym_decrypt(ciphertext, v_key);
end
$$;
comment on function private.decrypt_secret(bytea, text) is
  'Decrypts with the transaction key; CSK02 when key_id is not the fingerprint of that key.';
revoke execute on function private.decrypt_secret(bytea, text) from public;
