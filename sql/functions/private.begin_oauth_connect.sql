/*
 * private.begin_oauth_connect.sql — Starts a browser connect flow, for a calendar or a mailbox,
 * for the caller in the active organization (42501 when not a member): stores sha256(state) and
 * the encrypted PKCE verifier for 10 minutes; purges states older than a day; at most 20 pending
 * per user (54000); audited. The count and the insert run under a transaction advisory lock of
 * (organization, user), so concurrent calls of one person are serialized and cannot all count
 * below the limit. Called by public.begin_calendar_connect and public.begin_mail_connect (both
 * SECURITY DEFINER); granted to nobody else.
 */
set local role crmsync_owner;

create or replace function private.begin_oauth_connect(
  p_purpose       text,
  p_provider      text,
  p_state         text,
  p_code_verifier text,
  p_calendar_id   text
) returns table (id uuid, expires_at timestamptz)
language plpgsql
volatile
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_org     uuid := private.current_org_id();
  v_user    uuid := auth.uid();
  v_key_id  text;
  v_pending int;
  v_id      uuid;
  v_expires timestamptz;
begin
  if v_org is null or v_user is null then
    raise exception 'no member of the active organization in this transaction' using errcode = '42501';
  end if;
  if p_purpose is null or p_purpose not in ('calendar', 'mail') then
    raise exception 'purpose must be calendar or mail' using errcode = '22023';
  end if;
  if p_provider is null or p_provider not in ('google', 'outlook') then
    raise exception 'provider must be google or outlook' using errcode = '22023';
  end if;
  if p_state is null or length(p_state) < 32 or length(p_state) > 512 then
    raise exception 'the state must be 32 to 512 characters' using errcode = '22023';
  end if;
  if p_code_verifier is null or p_code_verifier !~ '^[A-Za-z0-9._~-]{43,128}$' then
    raise exception 'the code verifier must be 43 to 128 unreserved characters (RFC 7636)' using errcode = '22023';
  end if;
  if p_calendar_id is not null and length(btrim(p_calendar_id)) not between 1 and 1024 then
    raise exception 'the calendar id must be 1 to 1024 characters' using errcode = '22023';
  end if;
  v_key_id := private.token_key_id(private.token_key());

  -- housekeeping: nothing older than a day is worth keeping, whoever started it
  delete from public.oauth_connect_states s where s.created_at < now() - interval '1 day';

  -- One person's calls queue here until the previous one commits; the count below then sees
  -- its row (read committed: each statement takes a new snapshot). Two-key form: its own key
  -- space, apart from the one-key locks of migrate and push renewal.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('crmsync.calendar_connect'),
                                           pg_catalog.hashtext(v_org::text || '/' || v_user::text));

  select count(*) into v_pending
    from public.oauth_connect_states s
   where s.organization_id = v_org and s.user_id = v_user and s.consumed_at is null and s.expires_at > now();
  if v_pending >= 20 then
    raise exception 'too many connect attempts in progress; finish or wait for one to expire' using errcode = '54000';
  end if;

  insert into public.oauth_connect_states as s
         (organization_id, user_id, provider, purpose, state_hash, code_verifier_encrypted, token_key_id, calendar_id,
          expires_at)
  values (v_org, v_user, p_provider, p_purpose, extensions.digest(p_state, 'sha256'), private.encrypt_secret(p_code_verifier),
          v_key_id, coalesce(btrim(p_calendar_id), 'primary'), now() + interval '10 minutes')
  returning s.id, s.expires_at into v_id, v_expires;

  perform private.write_audit(v_org, case p_purpose when 'mail' then 'email_account' else 'calendar_account' end
                                     || '.connect_started', 'oauth_connect_states', v_id,
    jsonb_build_object('provider', p_provider, 'purpose', p_purpose, 'calendar_id', coalesce(btrim(p_calendar_id), 'primary'),
                       'expires_at', v_expires, 'key_id', v_key_id));
  id := v_id;
  expires_at := v_expires;
  return next;
end
$$;
comment on function private.begin_oauth_connect(text, text, text, text, text) is
  'The body of begin_calendar_connect and begin_mail_connect: a pending connect flow of the caller (purpose calendar or mail), 10 minutes, at most 20 per user; audited.';
revoke execute on function private.begin_oauth_connect(text, text, text, text, text) from public;
