/*
 * private.token_key.sql — The encryption key of this transaction (crmsync.token_key); CSK01 when
 * missing, CSK03 when shorter than 32 characters.
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
revoke execute on function private.token_key() from public;
