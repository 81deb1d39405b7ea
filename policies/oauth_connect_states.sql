/*
 * policies/oauth_connect_states.sql — pending browser OAuth connect flows.
 *
 * A person reads their own flows in the active organization (provider, calendar, times,
 * outcome), for showing "connecting…"; never the state hash nor the encrypted verifier.
 * Nobody inserts, updates or deletes directly: begin_calendar_connect,
 * consume_calendar_connect and finish_calendar_connect (security definer, sql/functions) do.
 * The worker gets no table access at all (the callback has no identity; consume does its work).
 */
set local role crmsync_owner;

revoke all on table public.oauth_connect_states from public, authenticated, crmsync_worker;

grant select (id, organization_id, user_id, provider, calendar_id, created_at, expires_at, consumed_at, outcome,
              calendar_account_id)
  on table public.oauth_connect_states to authenticated;

drop policy if exists oauth_connect_states_authenticated_select on public.oauth_connect_states;
create policy oauth_connect_states_authenticated_select on public.oauth_connect_states
  for select to authenticated
  using (organization_id = (select private.current_org_id()) and user_id = (select auth.uid()));

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists oauth_connect_states_crmsync_owner_all on public.oauth_connect_states;
create policy oauth_connect_states_crmsync_owner_all on public.oauth_connect_states
  for all to crmsync_owner
  using (true) with check (true);
