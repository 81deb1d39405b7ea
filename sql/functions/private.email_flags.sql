/*
 * private.email_flags.sql — IMAP flags as stored on a location: sorted, without duplicates, so
 * the same flags in another order are no change (no churn on replays).
 */
set local role crmsync_owner;

create or replace function private.email_flags(p_value jsonb)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select coalesce(array(select distinct f from unnest(private.email_text_array(p_value)) f where f <> '' order by 1), '{}')
$$;
comment on function private.email_flags(jsonb) is
  'IMAP flags from a JSON array: sorted, distinct (the stored form of email_message_locations.flags).';
revoke execute on function private.email_flags(jsonb) from public;
grant execute on function private.email_flags(jsonb) to crmsync_worker;
