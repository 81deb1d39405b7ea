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
create or replace trigger email_messages_participants_insert
  after insert on public.email_messages
  referencing new table as new_rows
  for each statement execute function private.sync_email_participants();
create or replace trigger email_messages_participants_update
  after update on public.email_messages
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.sync_email_participants();
