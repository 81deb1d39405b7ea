/*
 * private.token_key_id.sql — Public fingerprint of a key (16 hex characters); safe to store and
 * print.
 */
set local role crmsync_owner;

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
revoke execute on function private.token_key_id(text) from public;
