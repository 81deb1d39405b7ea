/*
 * public.email_messages.sql — the triggers on public.email_messages.
 */
set local role crmsync_owner;

create or replace trigger email_messages_set_updated_at
  before update on public.email_messages
  for each row execute function private.set_updated_at();
create or replace trigger email_messages_forbid_organization_change
  before update on public.email_messages
  for each row execute function private.forbid_organization_change();
