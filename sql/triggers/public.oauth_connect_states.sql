/*
 * public.oauth_connect_states.sql — the triggers on public.oauth_connect_states.
 */
set local role crmsync_owner;

create or replace trigger oauth_connect_states_forbid_organization_change
  before update on public.oauth_connect_states
  for each row execute function private.forbid_organization_change();
