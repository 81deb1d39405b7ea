/*
 * public.update_calendar_account_settings.sql — what the backend API (crmsync serve) needs beyond the
 * sync engine's functions: changing an account's settings, counting due accounts for the
 * metrics, and reading the migration ledger for /readyz.
 *
 * update_calendar_account_settings is a security definer because switching the synced
 * calendar must also forget what was synced from the old one (cursor, export watermark,
 * mappings), which a person may not write directly. It acts only on the caller's own account
 * in the active organization (the same rule as the update policy) and is audited by the
 * account trigger. Push channels of the old calendar are replaced by the push renewal
 * service, which compares each channel's calendar with the account's. A disconnected account
 * is gone for its owner (42501 'account not found', as for any account not theirs): its settings
 * no longer change (re-enabling sync on an account without tokens made no sense).
 */
set local role crmsync_owner;

create or replace function public.update_calendar_account_settings(
  p_account_id        uuid,
  p_sync_enabled      boolean default null,
  p_conflict_strategy text    default null,
  p_calendar_id       text    default null
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  -- The caller's own account, or 42501 (private.my_calendar_account).
  v_account public.calendar_accounts := private.my_calendar_account(p_account_id);
  v_moved   boolean;
begin
  if v_account.connection_status = 'disconnected' then
    raise exception 'account not found' using errcode = '42501';
  end if;
  if p_conflict_strategy is not null
     and p_conflict_strategy not in ('crm_wins', 'calendar_wins', 'latest_wins', 'manual') then
    raise exception 'conflict strategy must be crm_wins, calendar_wins, latest_wins or manual' using errcode = '22023';
  end if;
  if p_calendar_id is not null and (length(btrim(p_calendar_id)) = 0 or length(p_calendar_id) > 1024) then
    raise exception 'calendar id must be 1 to 1024 characters' using errcode = '22023';
  end if;

  -- Another calendar: nothing synced from the old one applies. The comparison is made by the
  -- UPDATE itself (row locked, re-checked after a concurrent change); appointments stay.
  update public.calendar_accounts a
     set calendar_id             = p_calendar_id,
         sync_cursor             = null,
         export_watermark        = null,
         export_full_scan_at     = null,
         export_watermark_staged = null,
         export_full_scan_staged = false,
         sync_requested_at       = now(),
         next_sync_at            = now()
   where a.organization_id = v_account.organization_id and a.id = v_account.id
     and a.connection_status <> 'disconnected'  -- re-checked: a concurrent disconnect wins
     and p_calendar_id is not null and a.calendar_id <> p_calendar_id
  returning true into v_moved;
  if v_moved then
    delete from public.calendar_event_mappings m
     where m.organization_id = v_account.organization_id and m.calendar_account_id = v_account.id;
  end if;

  update public.calendar_accounts a
     set sync_enabled      = coalesce(p_sync_enabled, a.sync_enabled),
         conflict_strategy = coalesce(p_conflict_strategy, a.conflict_strategy),
         next_sync_at      = case when p_sync_enabled and not a.sync_enabled then now() else a.next_sync_at end
   where a.organization_id = v_account.organization_id and a.id = v_account.id
     and a.connection_status <> 'disconnected';
end
$$;
comment on function public.update_calendar_account_settings(uuid, boolean, text, text) is
  'The caller changes their own calendar account''s settings (null = unchanged); a new calendar id forgets the old calendar''s sync state and mappings and asks for a sync. 42501 when not the caller''s or disconnected.';
revoke execute on function public.update_calendar_account_settings(uuid, boolean, text, text) from public;
grant execute on function public.update_calendar_account_settings(uuid, boolean, text, text) to authenticated;
