/*
 * private.encrypt_secret.sql — Encrypts with the transaction key (AES-256, pgcrypto); null stays
 * null. Store private.token_key_id(private.token_key()) beside it.
 */
set local role crmsync_owner;

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
revoke execute on function private.encrypt_secret(text) from public;
