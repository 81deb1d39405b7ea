/*
 * private.calendar_timestamptz.sql — RFC 3339 text to timestamptz (raises 22007/22008 on bad
 * input: import then retries the page with calendar_timestamptz_safe). No SET clause so the
 * planner inlines it (it only uses pg_catalog).
 */
set local role crmsync_owner;

-- helpers ------------------------------------------------------------------------------------

create or replace function private.calendar_timestamptz(p_value text)
returns timestamptz
language sql
stable
as $$
  select p_value::timestamptz
$$;
comment on function private.calendar_timestamptz(text) is
  'RFC 3339 text to timestamptz (raises 22007/22008 on bad input: import then retries the page with calendar_timestamptz_safe). No SET clause so the planner inlines it (it only uses pg_catalog).';
revoke execute on function private.calendar_timestamptz(text) from public;
grant execute on function private.calendar_timestamptz(text) to authenticated, crmsync_worker;
