/*
 * public.calendar_accounts.sql — the triggers on public.calendar_accounts.
 */
set local role crmsync_owner;

create or replace trigger calendar_accounts_set_updated_at
  before update on public.calendar_accounts
  for each row execute function private.set_updated_at();
create or replace trigger calendar_accounts_forbid_organization_change
  before update on public.calendar_accounts
  for each row execute function private.forbid_organization_change();
create or replace trigger calendar_accounts_audit
  after insert or update or delete on public.calendar_accounts
  for each row execute function private.audit_account_change('calendar');
