/*
 * public.consume_calendar_connect.sql — The OAuth callback's state check (no identity needed;
 * crmsync_worker only): consumes the state in the same statement that finds it, even when
 * expired. outcome ok (with the bound organization, user, provider, calendar and decrypted
 * verifier; audited), unknown, used, expired or invalid (key rotated).
 */
set local role crmsync_owner;

-- consume ------------------------------------------------------------------------------------

-- The result gained `purpose`: a changed result type needs the old function dropped first.
do $$
begin
  if exists (select 1 from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
              where n.nspname = 'public' and p.proname = 'consume_calendar_connect'
                and not ('purpose' = any (coalesce(p.proargnames, '{}')))) then
    drop function public.consume_calendar_connect(text);
  end if;
end
$$;

create or replace function public.consume_calendar_connect(p_state text)
returns table (
  outcome         text,
  state_id        uuid,
  organization_id uuid,
  user_id         uuid,
  provider        text,
  calendar_id     text,
  code_verifier   text,
  purpose         text
)
language plpgsql
volatile
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_hash   bytea;
  v_row    public.oauth_connect_states%rowtype;
  v_key_id text := private.token_key_id(private.token_key());
  v_found  int;
begin
  if p_state is null or length(p_state) < 32 or length(p_state) > 512 then
    outcome := 'unknown';
    return next;
    return;
  end if;
  v_hash := extensions.digest(p_state, 'sha256');

  -- two organizations holding the same hash (a 256-bit collision) is treated as unknown
  select count(*) into v_found from public.oauth_connect_states s where s.state_hash = v_hash;
  if v_found <> 1 then
    outcome := 'unknown';
    return next;
    return;
  end if;

  -- single use: whoever marks it first wins; a concurrent second caller waits, then sees it used
  update public.oauth_connect_states s
     set consumed_at = now(),
         outcome     = case when s.expires_at <= now() then 'state_expired'
                            when s.token_key_id <> v_key_id then 'state_invalid' end
   where s.state_hash = v_hash and s.consumed_at is null
  returning s.* into v_row;
  if not found then
    outcome := 'used';
    return next;
    return;
  end if;
  if v_row.expires_at <= now() then
    outcome := 'expired';
    return next;
    return;
  end if;
  if v_row.token_key_id <> v_key_id then
    -- the key was rotated during the flow: the verifier cannot be read any more
    outcome := 'invalid';
    return next;
    return;
  end if;

  outcome         := 'ok';
  state_id        := v_row.id;
  organization_id := v_row.organization_id;
  user_id         := v_row.user_id;
  provider        := v_row.provider;
  calendar_id     := v_row.calendar_id;
  purpose         := v_row.purpose;
  code_verifier   := private.decrypt_secret(v_row.code_verifier_encrypted, v_row.token_key_id);
  perform private.write_audit(v_row.organization_id, 'secret.read', 'oauth_connect_states', v_row.id,
    jsonb_build_object('secret', 'oauth_code_verifier', 'provider', v_row.provider, 'key_id', v_row.token_key_id));
  return next;
end
$$;
comment on function public.consume_calendar_connect(text) is
  'The OAuth callback''s state check (no identity needed; crmsync_worker only): consumes the state in the same statement that finds it, even when expired. outcome ok (with the bound organization, user, provider, calendar and decrypted verifier; audited), unknown, used, expired or invalid (key rotated).';
revoke execute on function public.consume_calendar_connect(text) from public;
grant execute on function public.consume_calendar_connect(text) to crmsync_worker;
