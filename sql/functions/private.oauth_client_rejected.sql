/*
 * private.oauth_client_rejected.sql — True when the OAuth client an organization uses for a
 * calendar provider (google|outlook) stands refused by the provider.
 */
set local role crmsync_owner;

create or replace function private.oauth_client_rejected(p_org uuid, p_calendar_provider text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  -- the client the organization's accounts use: its own app, else the platform's
  select coalesce((
    select o.rejected_at is not null
      from public.oauth_secrets o
     where o.provider = case p_calendar_provider when 'outlook' then 'microsoft' else p_calendar_provider end
       and (o.organization_id = p_org or o.organization_id is null)
     order by o.organization_id nulls last
     limit 1), false)
$$;
comment on function private.oauth_client_rejected(uuid, text) is
  'True when the OAuth client an organization uses for a calendar provider (google|outlook) stands refused by the provider.';
revoke execute on function private.oauth_client_rejected(uuid, text) from public;
grant execute on function private.oauth_client_rejected(uuid, text) to crmsync_worker;
