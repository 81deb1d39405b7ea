/*
 * public.finish_calendar_connect.sql — Records how the caller's consumed connect flow ended
 * (connected with the account, or an error code). A calendar flow's account is set back to
 * connected with no failures or stale error (reconnecting one that needed re-authorization); a
 * mail flow's is the mailbox connect_email_account just stored. 42501 for another user's state
 * or account; audited.
 */
set local role crmsync_owner;

-- finish -------------------------------------------------------------------------------------

create or replace function public.finish_calendar_connect(p_state_id uuid, p_outcome text, p_account_id uuid default null)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_org     uuid := private.current_org_id();
  v_purpose text;
begin
  if p_outcome is null or p_outcome !~ '^[a-z_]{1,40}$' then
    raise exception 'p_outcome must be a lower-case code' using errcode = '22023';
  end if;
  if (p_outcome = 'connected') <> (p_account_id is not null) then
    raise exception 'an account goes with outcome connected, and only with it' using errcode = '22023';
  end if;
  select s.purpose into v_purpose
    from public.oauth_connect_states s
   where s.organization_id = v_org and s.id = p_state_id and s.user_id = auth.uid()
     and s.consumed_at is not null and s.outcome is null
     for update;
  if not found then
    raise exception 'connect state not found' using errcode = '42501';
  end if;
  if p_account_id is not null and v_purpose = 'calendar' then
    -- a reconnected account starts afresh: connected, no failures, no stale error
    update public.calendar_accounts a
       set connection_status    = 'connected',
           consecutive_failures = 0,
           last_error           = null
     where a.organization_id = v_org and a.id = p_account_id and a.user_id = auth.uid();
    if not found then
      raise exception 'account not found' using errcode = '42501';
    end if;
  elsif p_account_id is not null then
    -- connect_email_account has stored the mailbox connected; it must be the caller's
    perform 1 from public.email_accounts a
     where a.organization_id = v_org and a.id = p_account_id and a.user_id = auth.uid();
    if not found then
      raise exception 'account not found' using errcode = '42501';
    end if;
  end if;
  update public.oauth_connect_states s
     set outcome             = p_outcome,
         calendar_account_id = case when v_purpose = 'calendar' then p_account_id end,
         email_account_id    = case when v_purpose = 'mail' then p_account_id end
   where s.organization_id = v_org and s.id = p_state_id;
  perform private.write_audit(v_org, case v_purpose when 'mail' then 'email_account' else 'calendar_account' end
                                     || '.connect_finished', 'oauth_connect_states', p_state_id,
    jsonb_build_object('outcome', p_outcome, 'purpose', v_purpose,
                       case v_purpose when 'mail' then 'email_account_id' else 'calendar_account_id' end, p_account_id));
end
$$;
comment on function public.finish_calendar_connect(uuid, text, uuid) is
  'Records how the caller''s consumed connect flow ended (connected with the account, or an error code); for a calendar flow the account is set back to connected with no failures or stale error (reconnecting one that needed re-authorization), for a mail flow it is the mailbox connect_email_account stored. 42501 for another user''s state or account; audited.';
revoke execute on function public.finish_calendar_connect(uuid, text, uuid) from public;
grant execute on function public.finish_calendar_connect(uuid, text, uuid) to authenticated, crmsync_worker;
