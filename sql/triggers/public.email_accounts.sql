/*
 * public.email_accounts.sql — the triggers on public.email_accounts.
 */
set local role crmsync_owner;

create or replace trigger email_accounts_set_updated_at
  before update on public.email_accounts
  for each row execute function private.set_updated_at();
create or replace trigger email_accounts_forbid_organization_change
  before update on public.email_accounts
  for each row execute function private.forbid_organization_change();
create or replace trigger email_accounts_audit
  after insert or update or delete on public.email_accounts
  for each row execute function private.audit_account_change('email');
