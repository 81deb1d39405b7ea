/*
 * 160_secrets.sql — encryption primitives (pgcrypto). The key is never stored in the database.
 *
 * The service puts the key into the transaction (set_config('crmsync.token_key', $1, true))
 * only when it needs it; crmsync.old_token_key is present only during rotation. Ciphertext is
 * tagged with the key's fingerprint (token_key_id), so a wrong key is reported (CSK02) instead
 * of producing garbage. Error codes: CSK01 no key, CSK02 key mismatch, CSK03 key too short,
 * CSK04 no old key for rotation. No message ever contains a key or a plaintext.
 * None of these functions is executable by client roles; the security definer API uses them.
 */
set local role crmsync_owner;

create or replace function private.token_key()
returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  v_key text := nullif(current_setting('crmsync.token_key', true), '');
begin
  if v_key is null then
    raise exception 'no encryption key in this transaction: the service must set crmsync.token_key'
      using errcode = 'CSK01';
  end if;
  if length(v_key) < 32 then
    raise exception 'the encryption key in crmsync.token_key is too short (at least 32 characters required)'
      using errcode = 'CSK03';
  end if;
  return v_key;
end
$$;
comment on function private.token_key() is
  'The encryption key of this transaction (crmsync.token_key); CSK01 when missing, CSK03 when shorter than 32 characters.';

create or replace function private.token_key_id(key text)
returns text
language sql
immutable
strict
set search_path = ''
as $$
  select encode(substring(extensions.digest('crmsync-key-id:' || key, 'sha256') from 1 for 8), 'hex')
$$;
comment on function private.token_key_id(text) is
  'Public fingerprint of a key (16 hex characters); safe to store and print.';

create or replace function private.encrypt_secret(plaintext text)
returns bytea
language sql
volatile
set search_path = ''
as $$
  select case when plaintext is null then null
              else extensions.pgp_sym_encrypt(plaintext, private.token_key(), 'cipher-algo=aes256') end
$$;
comment on function private.encrypt_secret(text) is
  'Encrypts with the transaction key (AES-256, pgcrypto); null stays null. Store private.token_key_id(private.token_key()) beside it.';

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

revoke execute on function private.token_key(), private.token_key_id(text), private.encrypt_secret(text),
  private.decrypt_secret(bytea, text) from public;
