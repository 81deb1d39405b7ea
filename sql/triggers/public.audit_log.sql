/*
 * public.audit_log.sql — the triggers on public.audit_log.
 */
set local role crmsync_owner;

create or replace trigger audit_log_forbid_change
  before update or delete on public.audit_log
  for each row execute function private.forbid_audit_log_change();
create or replace trigger audit_log_forbid_truncate
  before truncate on public.audit_log
  for each statement execute function private.forbid_audit_log_change();
