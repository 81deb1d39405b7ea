/*
 * public.oauth_client_credentials.sql — OAuth client id and decrypted secret for the active
 * organization (its own app, else the platform's); crmsync_worker only; audited.
 */
set local role crmsync_owner;

create or replace function public.oauth_client_credentials(p_provider text)
returns table (client_id text, client_secret text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_org uuid := private.current_org_id();
  v_row public.oauth_secrets%rowtype;
begin
  if v_org is null then
    raise exception 'no active organization in this transaction' using errcode = '42501';
  end if;
  select o.* into v_row
    from public.oauth_secrets o
   where o.provider = p_provider and (o.organization_id = v_org or o.organization_id is null)
   order by o.organization_id nulls last
   limit 1;
  if not found then
    raise exception 'no OAuth client configured for provider %', p_provider using errcode = 'P0002';
  end if;
  client_id     := v_row.client_id;
  client_secret := private.decrypt_secret(v_row.client_secret_encrypted, v_row.key_id);
  perform private.write_audit(v_org, 'secret.read', 'oauth_secrets', v_row.id,
    jsonb_build_object('secret', 'oauth_client', 'provider', p_provider, 'key_id', v_row.key_id,
                       'scope', case when v_row.organization_id is null then 'platform' else 'organization' end));
  return next;
end
$$;
comment on function public.oauth_client_credentials(text) is
  'OAuth client id and decrypted secret for the active organization (its own app, else the platform''s); crmsync_worker only; audited.';
revoke execute on function public.oauth_client_credentials(text) from public;
grant execute on function public.oauth_client_credentials(text) to crmsync_worker;
