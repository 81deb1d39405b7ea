/*
 * public.oauth_client_status.sql — Registered OAuth clients: whether the provider refused one
 * (rejected_at, reason) and the command that fixes it. No secrets.
 */
set local role crmsync_owner;

-- For the operator: which clients a provider refused. security_invoker like every view here:
-- oauth_secrets has no policies and no grants, so only the administrator's console (a role
-- that bypasses row-level security) sees rows; never shows a secret.
create or replace view public.oauth_client_status
with (security_invoker = true) as
select o.provider,
       o.organization_id,
       o.client_id,
       o.updated_at,
       o.rejected_at,
       o.rejected_reason,
       case when o.rejected_at is null then null
            else 'crmsync oauth-client set --provider ' || o.provider || ' --client-id <id>'
              || case when o.organization_id is null then '' else ' --org ' || o.organization_id end
              || ' (secret from $CRMSYNC_OAUTH_CLIENT_SECRET or standard input)'
       end as fix
  from public.oauth_secrets o;
comment on view public.oauth_client_status is
  'Registered OAuth clients: whether the provider refused one (rejected_at, reason) and the command that fixes it. No secrets.';
revoke all on public.oauth_client_status from public;
