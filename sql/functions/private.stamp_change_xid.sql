/*
 * private.stamp_change_xid.sql — BEFORE INSERT trigger on appointments (only when a client
 * supplied another value): change_xid is the writing transaction.
 */
set local role crmsync_owner;

create or replace function private.stamp_change_xid()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.change_xid := pg_catalog.pg_current_xact_id();
  return new;
end
$$;
comment on function private.stamp_change_xid() is
  'BEFORE INSERT trigger on appointments (only when a client supplied another value): change_xid is the writing transaction.';
revoke execute on function private.stamp_change_xid() from public;
