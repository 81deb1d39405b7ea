/*
 * public.email_attachments.sql — the triggers on public.email_attachments.
 */
set local role crmsync_owner;

create or replace trigger email_attachments_fill_account
  before insert on public.email_attachments
  for each row execute function private.fill_attachment_account();
create or replace trigger email_attachments_set_updated_at
  before update on public.email_attachments
  for each row execute function private.set_updated_at();
create or replace trigger email_attachments_forbid_organization_change
  before update on public.email_attachments
  for each row execute function private.forbid_organization_change();
