/*
 * private.keep_or_encrypt.sql — Store helper: encrypts p_new, or keeps p_old when p_new is null
 * (CSK02 if p_old was encrypted with another key).
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
