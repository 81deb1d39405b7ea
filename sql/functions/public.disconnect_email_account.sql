/*
 * public.disconnect_email_account.sql — Disconnects the caller's email account: status
 * disconnected, sync disabled, the password and tokens wiped, the push registration forgotten,
 * the lease and any sync request dropped, mail still queued for it marked failed (it can no
 * longer be sent). Imported mail stays unless p_delete_mail: then the messages go (their
 * locations, attachments and content tiers with them), and the folders and cursors too, so a
 * later reconnect imports the mailbox afresh. The sync log stays. Audited. Revoke the grant at
 * the provider before calling (the tokens are gone after).
 *
 * Security definer: nobody holds a grant on the ciphertext columns; the explicit filter (active
 * organization, auth.uid()) is the check: 42501 'account not found' for anyone else's account.
 */
set local role crmsync_owner;

create or replace function public.disconnect_email_account(p_account uuid, p_delete_mail boolean)
returns table (messages_deleted int, outbox_failed int)
language plpgsql
volatile
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_org      uuid := private.current_org_id();
  v_delete   boolean := coalesce(p_delete_mail, false);
  v_messages int := 0;
  v_outbox   int := 0;
begin
  perform 1
    from public.email_accounts a
   where a.organization_id = v_org and a.id = p_account and a.user_id = auth.uid()
     for update;
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;

  update public.email_outbox o
     set status = 'failed', last_error = 'the account was disconnected before the message was sent',
         next_attempt_at = now()
   where o.organization_id = v_org and o.email_account_id = p_account and o.status in ('queued', 'sending');
  get diagnostics v_outbox = row_count;

  if v_delete then
    delete from public.email_messages m
     where m.organization_id = v_org and m.email_account_id = p_account;
    get diagnostics v_messages = row_count;
    delete from public.email_folders f
     where f.organization_id = v_org and f.email_account_id = p_account;
  end if;

  update public.email_accounts a
     set connection_status       = 'disconnected',
         sync_enabled            = false,
         password_encrypted      = null,
         access_token_encrypted  = null,
         refresh_token_encrypted = null,
         token_key_id            = null,
         token_expires_at        = null,
         push_expires_at         = null,
         push_subscription_id    = null,
         push_secret_hash        = null,
         sync_requested_at       = null,
         next_sync_at            = null,
         lease_owner             = null,
         lease_expires_at        = null,
         sync_cursor             = case when v_delete then null else a.sync_cursor end
   where a.organization_id = v_org and a.id = p_account;

  perform private.write_audit(v_org, 'email_account.disconnected', 'email_accounts', p_account,
    jsonb_build_object('delete_mail', v_delete, 'messages_deleted', v_messages, 'outbox_failed', v_outbox));
  messages_deleted := v_messages;
  outbox_failed := v_outbox;
  return next;
end
$$;
comment on function public.disconnect_email_account(uuid, boolean) is
  'Disconnects the caller''s email account: status disconnected, sync disabled, secrets and push registration wiped, queued mail failed; its messages (and folders, cursors) are deleted only when p_delete_mail. Audited. Revoke the grant at the provider before calling (the tokens are gone after). 42501 for another account.';
revoke execute on function public.disconnect_email_account(uuid, boolean) from public;
grant execute on function public.disconnect_email_account(uuid, boolean) to authenticated;
