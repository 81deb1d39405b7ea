/*
 * private.forbid_audit_log_change.sql — the append-only audit trail and its only writer, private.write_audit().
 *
 * Who connected/disconnected what, every secret read, every rotation batch. Rows are written
 * only by private.write_audit() (security definer, executable by the owner alone), which
 * triggers and API functions call. A row trigger refuses UPDATE and DELETE and a statement
 * trigger refuses TRUNCATE, for everyone including the owner. organization_id is null for
 * platform events (platform OAuth clients, rotation); there is deliberately no foreign key, so
 * the trail outlives a deleted organization.
 */
set local role crmsync_owner;

create or replace function private.forbid_audit_log_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'public.audit_log is append-only: % is not allowed', tg_op
    using errcode = '42501';
end
$$;
comment on function private.forbid_audit_log_change() is
  'Trigger: refuses UPDATE, DELETE and TRUNCATE on public.audit_log (append-only).';
revoke execute on function private.forbid_audit_log_change() from public;
