/*
 * private.calendar_timestamptz_safe.sql — Text to timestamptz, null instead of an error for
 * anything that is not a valid date-time (slow: one subtransaction per call; import's fallback
 * path).
 */
set local role crmsync_owner;

create or replace function private.calendar_timestamptz_safe(p_value text)
returns timestamptz
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_value is null or p_value !~ '^\s*\d{4}-\d{2}-\d{2}' then
    return null;
  end if;
  return p_value::timestamptz;
exception
  when data_exception then
    return null;
end
$$;
comment on function private.calendar_timestamptz_safe(text) is
  'Text to timestamptz, null instead of an error for anything that is not a valid date-time (slow: one subtransaction per call; import''s fallback path).';
revoke execute on function private.calendar_timestamptz_safe(text) from public;
grant execute on function private.calendar_timestamptz_safe(text) to authenticated, crmsync_worker;
