/*
 * public.email_message_bodies.sql — the triggers on public.email_message_bodies.
 */
set local role crmsync_owner;

create or replace trigger email_message_bodies_forbid_organization_change
  before update on public.email_message_bodies
  for each row execute function private.forbid_organization_change();
