/*
 * public.email_message_participants.sql — the triggers on public.email_message_participants.
 */
set local role crmsync_owner;

create or replace trigger email_message_participants_forbid_organization_change
  before update on public.email_message_participants
  for each row execute function private.forbid_organization_change();
