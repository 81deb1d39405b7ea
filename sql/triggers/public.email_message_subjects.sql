/*
 * public.email_message_subjects.sql — the triggers on public.email_message_subjects.
 */
set local role crmsync_owner;

create or replace trigger email_message_subjects_forbid_organization_change
  before update on public.email_message_subjects
  for each row execute function private.forbid_organization_change();
