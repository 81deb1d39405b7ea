/*
 * private.email_text_array.sql — a JSON array of strings as text[] ('{}' for JSON null, a
 * missing key or anything that is not an array): the mail import's reading of address lists,
 * References, labels and flags.
 */
set local role crmsync_owner;

create or replace function private.email_text_array(p_value jsonb)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select coalesce(array(select x from jsonb_array_elements_text(case when jsonb_typeof(p_value) = 'array'
                                                                      then p_value else '[]'::jsonb end) x), '{}')
$$;
comment on function private.email_text_array(jsonb) is
  'A JSON array of strings as text[] (''{}'' for null, a missing key or a non-array).';
revoke execute on function private.email_text_array(jsonb) from public;
grant execute on function private.email_text_array(jsonb) to crmsync_worker;
