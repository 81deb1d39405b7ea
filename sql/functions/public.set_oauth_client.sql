/*
 * public.set_oauth_client.sql — Upserts an OAuth client (organization null = platform app),
 * secret encrypted; owner/admin CLI only; audited.
 */
set local role crmsync_owner;

create or replace function public.set_oauth_client(
  p_provider        text,
  p_client_id       text,
  p_client_secret   text,
  p_organization_id uuid default null
) returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_key_id text := private.token_key_id(private.token_key());
  v_id     uuid;
  v_was_rejected boolean;
begin
  if p_client_secret is null or p_client_secret = '' then
    raise exception 'the client secret must not be empty' using errcode = '22004';
  end if;
  select o.rejected_at is not null into v_was_rejected
    from public.oauth_secrets o
   where o.organization_id is not distinct from p_organization_id and o.provider = p_provider;

  insert into public.oauth_secrets as o (organization_id, provider, client_id, client_secret_encrypted, key_id)
  values (p_organization_id, p_provider, p_client_id, private.encrypt_secret(p_client_secret), v_key_id)
  on conflict (organization_id, provider) do update
     set client_id = excluded.client_id,
         client_secret_encrypted = excluded.client_secret_encrypted,
         key_id = excluded.key_id,
         rejected_at = null,
         rejected_reason = null
  returning o.id into v_id;

  -- The provider had refused the client: its accounts waited for this (finish_calendar_sync),
  -- so they sync again now instead of at their next hourly try.
  if coalesce(v_was_rejected, false) then
    update public.calendar_accounts a
       set next_sync_at = now()
     where a.provider = case p_provider when 'microsoft' then 'outlook' else p_provider end
       and (p_organization_id is null or a.organization_id = p_organization_id)
       and a.sync_enabled and a.connection_status in ('connected', 'error');
  end if;

  perform private.write_audit(p_organization_id, 'oauth_client.set', 'oauth_secrets', v_id,
    jsonb_build_object('provider', p_provider, 'client_id', p_client_id, 'key_id', v_key_id,
                       'scope', case when p_organization_id is null then 'platform' else 'organization' end));
  return v_id;
end
$$;
comment on function public.set_oauth_client(text, text, text, uuid) is
  'Upserts an OAuth client (organization null = platform app), secret encrypted; clears a recorded refusal and makes the accounts that waited for it due; owner/admin CLI only; audited.';
revoke execute on function public.set_oauth_client(text, text, text, uuid) from public;
