/*
 * 305_calendar_defects.sql — calendar sync defects that damaged users' data (issue 16).
 *
 * Item 6, client-level OAuth failures are the operator's: when a provider refuses crmsync's
 * OAuth client itself (invalid_client / unauthorized_client, e.g. Microsoft's AADSTS7000215
 * after a client secret expired) the accounts are not the problem and must not be marked
 * needs_reauth (reconnecting would fail the same way). So:
 *   - oauth_secrets.rejected_at / rejected_reason record the refusal of a client, once;
 *   - report_oauth_client_rejected (worker) records it for the client an account uses and
 *     says whether it is news (the engine logs it once);
 *   - finish_calendar_sync (full text from 230, changed): a failed run while the account's
 *     client stands refused keeps the account's connection_status and failure count and
 *     retries in an hour;
 *   - set_oauth_client (full text from 170, changed): storing a client clears the refusal
 *     and makes the accounts that waited for it due now, so syncing resumes by itself;
 *   - oauth_client_status: per registered client, whether the provider refused it (no
 *     secret), for the operator's console (`crmsync console`).
 * The other items of issue 16 are fixed in Swift and need no SQL.
 */
set local role crmsync_owner;

alter table public.oauth_secrets add column if not exists rejected_at timestamptz;
alter table public.oauth_secrets add column if not exists rejected_reason text;
comment on column public.oauth_secrets.rejected_at is
  'When a provider last refused this OAuth client (invalid_client…); null when not refused since it was set.';
comment on column public.oauth_secrets.rejected_reason is 'The OAuth error of that refusal (no secret).';

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

create or replace function public.report_oauth_client_rejected(p_account_id uuid, p_reason text)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_org      uuid := private.current_org_id();
  v_provider text;
  v_secret   uuid;
  v_first    boolean;
begin
  select case a.provider when 'outlook' then 'microsoft' else a.provider end into v_provider
    from public.calendar_accounts a
   where a.organization_id = v_org and a.id = p_account_id and a.user_id = auth.uid();
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  select o.id, o.rejected_at is null into v_secret, v_first
    from public.oauth_secrets o
   where o.provider = v_provider and (o.organization_id = v_org or o.organization_id is null)
   order by o.organization_id nulls last
   limit 1
     for update;
  if not found then
    return false;
  end if;
  if v_first then
    update public.oauth_secrets o
       set rejected_at = now(), rejected_reason = left(coalesce(nullif(p_reason, ''), 'invalid_client'), 200)
     where o.id = v_secret;
  end if;
  return v_first;
end
$$;
comment on function public.report_oauth_client_rejected(uuid, text) is
  'The provider refused the OAuth client the caller''s account uses: recorded on that client (until set_oauth_client stores a new one). True when it was not recorded yet.';
revoke execute on function public.report_oauth_client_rejected(uuid, text) from public;
grant execute on function public.report_oauth_client_rejected(uuid, text) to crmsync_worker;

create or replace function public.finish_calendar_sync(
  p_log_id        uuid,
  p_status        text,
  p_imported      int,
  p_exported      int,
  p_updated       int,
  p_deleted       int,
  p_errors        int,
  p_error_details jsonb,
  p_next_cursor   text,
  p_clear_cursor  boolean
) returns void
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_org     uuid := private.current_org_id();
  v_account uuid;
  v_status  text;
  v_details jsonb := coalesce(p_error_details, '[]'::jsonb);
  v_error   text;
  v_client_rejected boolean := false;
begin
  if p_status is null or p_status not in ('success', 'partial', 'failed') then
    raise exception 'p_status must be success, partial or failed' using errcode = '22023';
  end if;
  if jsonb_typeof(v_details) <> 'array' then
    v_details := jsonb_build_array(v_details);
  end if;

  select l.calendar_account_id, l.status into v_account, v_status
    from public.calendar_sync_log l
   where l.organization_id = v_org and l.id = p_log_id
     for update;
  if not found then
    raise exception 'sync run not found' using errcode = '42501';
  end if;
  if v_status <> 'running' then
    return;  -- already finished: a retried call changes nothing
  end if;

  update public.calendar_sync_log l
     set status          = p_status,
         events_imported = greatest(coalesce(p_imported, 0), 0),
         events_exported = greatest(coalesce(p_exported, 0), 0),
         events_updated  = greatest(coalesce(p_updated, 0), 0),
         events_deleted  = greatest(coalesce(p_deleted, 0), 0),
         errors          = greatest(coalesce(p_errors, 0), 0),
         error_details   = v_details,
         completed_at    = greatest(clock_timestamp(), l.started_at)
   where l.organization_id = v_org and l.id = p_log_id;

  v_error := left(coalesce(v_details -> 0 ->> 'message', v_details -> 0 ->> 'error',
                           case when jsonb_typeof(v_details -> 0) = 'string' then v_details ->> 0 end,
                           case when jsonb_array_length(v_details) > 0 then (v_details -> 0)::text end,
                           case when p_status <> 'success' then 'sync ' || p_status end), 2000);

  -- A failed run while the account's OAuth client stands refused by the provider
  -- (report_oauth_client_rejected) is the operator's problem: the account keeps its status and
  -- failure count and waits an hour, or until set_oauth_client stores a new secret.
  if p_status = 'failed' then
    select private.oauth_client_rejected(a.organization_id, a.provider) into v_client_rejected
      from public.calendar_accounts a
     where a.organization_id = v_org and a.id = v_account;
    v_client_rejected := coalesce(v_client_rejected, false);
  end if;

  update public.calendar_accounts a
     set last_sync_at         = now(),
         last_sync_status     = p_status,
         sync_cursor          = case when p_next_cursor is not null then p_next_cursor
                                     when p_clear_cursor then null
                                     else a.sync_cursor end,
         consecutive_failures = case when v_client_rejected then a.consecutive_failures
                                     when p_status = 'failed' then a.consecutive_failures + 1 else 0 end,
         next_sync_at         = case
                                  when a.sync_requested_at is not null then now()  -- asked again during the run
                                  when v_client_rejected then now() + interval '60 minutes'
                                  when p_status = 'failed'
                                    then now() + least(power(2, least(a.consecutive_failures + 1, 10)) * interval '1 minute',
                                                       interval '60 minutes')
                                  else now() + interval '5 minutes'
                                end,
         last_error           = case when p_status = 'success' then null else v_error end,
         connection_status    = case
                                  when v_client_rejected then a.connection_status
                                  when p_status = 'failed' and a.connection_status = 'connected' then 'error'
                                  when p_status <> 'failed' and a.connection_status = 'error' then 'connected'
                                  else a.connection_status
                                end,
         -- a completed export scan becomes the watermark; a full resync rescans everything
         export_watermark     = case when coalesce(p_clear_cursor, false) then null
                                     when p_status <> 'failed' and a.export_watermark_staged is not null
                                       then a.export_watermark_staged
                                     else a.export_watermark end,
         export_full_scan_at  = case when coalesce(p_clear_cursor, false) then null
                                     when p_status <> 'failed' and a.export_full_scan_staged
                                       then a.export_watermark_staged
                                     else a.export_full_scan_at end,
         export_watermark_staged = null,
         export_full_scan_staged = false
   where a.organization_id = v_org and a.id = v_account and a.user_id = auth.uid();
end
$$;
comment on function public.finish_calendar_sync(uuid, text, int, int, int, int, int, jsonb, text, boolean) is
  'Closes a running sync log row of the caller''s account and updates the account: last sync, cursor (new when p_next_cursor, else cleared when p_clear_cursor), failures and back-off (success/partial: +5 min; failed: +min(2^failures, 60) min; failed while the account''s OAuth client stands refused: status and failures kept, +60 min), last_error. Idempotent.';
revoke execute on function public.finish_calendar_sync(uuid, text, int, int, int, int, int, jsonb, text, boolean) from public;
grant execute on function public.finish_calendar_sync(uuid, text, int, int, int, int, int, jsonb, text, boolean) to crmsync_worker;

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
