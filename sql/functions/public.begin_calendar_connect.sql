/*
 * public.begin_calendar_connect.sql — Starts a browser connect flow of a calendar for the caller
 * in the active organization: private.begin_oauth_connect with purpose 'calendar' (42501 when not
 * a member; 10 minutes; at most 20 pending per user, 54000; audited).
 */
set local role crmsync_owner;

-- begin --------------------------------------------------------------------------------------

create or replace function public.begin_calendar_connect(
  p_provider      text,
  p_state         text,
  p_code_verifier text,
  p_calendar_id   text default 'primary'
) returns table (id uuid, expires_at timestamptz)
language sql
volatile
security definer
set search_path = ''
as $$
  select b.id, b.expires_at from private.begin_oauth_connect('calendar', p_provider, p_state, p_code_verifier, p_calendar_id) b
$$;
comment on function public.begin_calendar_connect(text, text, text, text) is
  'Starts a browser connect flow for the caller in the active organization (42501 when not a member): stores sha256(state) and the encrypted PKCE verifier for 10 minutes; purges states older than a day; at most 20 pending per user (54000); audited.';
revoke execute on function public.begin_calendar_connect(text, text, text, text) from public;
grant execute on function public.begin_calendar_connect(text, text, text, text) to authenticated;
