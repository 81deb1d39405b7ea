/*
 * public.disconnect_calendar_account.sql — Disconnects the caller's calendar account: status
 * disconnected, sync disabled, tokens wiped, push channels stopped; its mappings and their
 * conflicts are deleted only when p_remove_mappings (then the cursor and export watermark go
 * too). Appointments stay. Audited. Stop the channels and revoke the grant at the provider
 * before calling (the tokens are gone after).
 */
set local role crmsync_owner;

-- disconnect ---------------------------------------------------------------------------------

create or replace function public.disconnect_calendar_account(p_account_id uuid, p_remove_mappings boolean)
returns table (channels_stopped int, mappings_removed int, conflicts_removed int)
language plpgsql
volatile
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_account   public.calendar_accounts := private.my_calendar_account(p_account_id);
  v_channels  int := 0;
  v_mappings  int := 0;
  v_conflicts int := 0;
  v_remove    boolean := coalesce(p_remove_mappings, false);
begin
  update public.calendar_push_channels c
     set status = 'stopped'
   where c.organization_id = v_account.organization_id and c.calendar_account_id = v_account.id
     and c.status not in ('stopped', 'expired');
  get diagnostics v_channels = row_count;

  if v_remove then
    delete from public.calendar_conflicts k
     where k.organization_id = v_account.organization_id and k.calendar_account_id = v_account.id;
    get diagnostics v_conflicts = row_count;
    delete from public.calendar_event_mappings m
     where m.organization_id = v_account.organization_id and m.calendar_account_id = v_account.id;
    get diagnostics v_mappings = row_count;
  end if;

  update public.calendar_accounts a
     set connection_status       = 'disconnected',
         sync_enabled            = false,
         access_token_encrypted  = null,
         refresh_token_encrypted = null,
         token_key_id            = null,
         token_expires_at        = null,
         sync_requested_at       = null,
         next_sync_at            = null,
         lease_owner             = null,
         lease_expires_at        = null,
         sync_cursor             = case when v_remove then null else a.sync_cursor end,
         export_watermark        = case when v_remove then null else a.export_watermark end,
         export_full_scan_at     = case when v_remove then null else a.export_full_scan_at end
   where a.organization_id = v_account.organization_id and a.id = v_account.id;

  perform private.write_audit(v_account.organization_id, 'calendar_account.disconnected', 'calendar_accounts', v_account.id,
    jsonb_build_object('remove_mappings', v_remove, 'channels_stopped', v_channels,
                       'mappings_removed', v_mappings, 'conflicts_removed', v_conflicts));
  channels_stopped := v_channels;
  mappings_removed := v_mappings;
  conflicts_removed := v_conflicts;
  return next;
end
$$;
comment on function public.disconnect_calendar_account(uuid, boolean) is
  'Disconnects the caller''s calendar account: status disconnected, sync disabled, tokens wiped, push channels stopped; its mappings and their conflicts are deleted only when p_remove_mappings (then the cursor and export watermark go too). Appointments stay. Audited. Stop the channels and revoke the grant at the provider before calling (the tokens are gone after).';
revoke execute on function public.disconnect_calendar_account(uuid, boolean) from public;
grant execute on function public.disconnect_calendar_account(uuid, boolean) to authenticated;
