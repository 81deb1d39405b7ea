/*
 * public.finish_email_send.sql — The worker reports what became of a message it claimed:
 *   sent   the server accepted it (or the engine found the Message-ID in Sent after a crash):
 *          the outbound email_messages row (provider_message_id = Message-ID, direction
 *          outbound, sent_at, is_read) is created unless it exists (imported from Sent
 *          meanwhile), and linked; status 'sent'.
 *   retry  a temporary failure: 'queued' again at p_retry_at (default: 2^attempts minutes, at
 *          most an hour), last_error kept.
 *   failed a permanent failure: 'failed', last_error kept.
 * Audited. Only a message in 'sending' changes; reporting 'sent' again for a sent message is a
 * no-op (a retried call), anything else on a finished message is 55000. p_error must not hold
 * secrets (it is shown to the account's owner).
 *
 * Security definer (no write grant on email_outbox); the explicit filter (active organization,
 * the account's owner = auth.uid()) is the check: 42501 otherwise.
 */
set local role crmsync_owner;

create or replace function public.finish_email_send(p_outbox uuid, p_outcome text, p_error text, p_retry_at timestamptz)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_org    uuid := private.current_org_id();
  v_row    public.email_outbox%rowtype;
  v_msg    uuid;
  v_thread text;
  v_labels text[];
  v_error  text := left(p_error, 2000);
begin
  if p_outcome is null or p_outcome not in ('sent', 'retry', 'failed') then
    raise exception 'p_outcome must be sent, retry or failed' using errcode = '22023';
  end if;
  select o.* into v_row
    from public.email_outbox o
    join public.email_accounts a on a.organization_id = o.organization_id and a.id = o.email_account_id
   where o.organization_id = v_org and o.id = p_outbox and a.user_id = auth.uid()
     for update of o;
  if not found then
    raise exception 'outbox message not found' using errcode = '42501';
  end if;
  if v_row.status <> 'sending' then
    if v_row.status = 'sent' and p_outcome = 'sent' then
      return;  -- already recorded: a retried call changes nothing
    end if;
    raise exception 'the message is %, not sending', v_row.status using errcode = '55000';
  end if;

  if p_outcome = 'sent' then
    -- the thread of the message it answers, else its own Message-ID
    select m.thread_id into v_thread
      from unnest(array_remove(array[v_row.in_reply_to], null)
                  || array(select r from unnest(v_row.references_ids) with ordinality as x (r, k) order by x.k desc))
           with ordinality as p (id, k)
      join public.email_messages m
        on m.organization_id = v_org and m.email_account_id = v_row.email_account_id and m.internet_message_id = p.id
     where m.thread_id is not null
     order by p.k
     limit 1;
    -- Gmail and Outlook file sent mail under SENT / sentitems: the row carries that label until
    -- the provider's copy takes it over (import_email_api_changes), so a complete listing
    -- without it marks it expunged instead of leaving it forever.
    select case a.provider when 'gmail' then '{SENT}'::text[] when 'outlook' then '{sentitems}'::text[] else '{}' end
      into v_labels
      from public.email_accounts a
     where a.organization_id = v_org and a.id = v_row.email_account_id;
    insert into public.email_messages as m (organization_id, email_account_id, provider_message_id, thread_id,
                                            internet_message_id, from_address, to_addresses, cc_addresses,
                                            received_at, sent_at, is_read, direction, in_reply_to, references_ids,
                                            size_bytes, labels)
    values (v_org, v_row.email_account_id, v_row.message_id, coalesce(v_thread, v_row.message_id), v_row.message_id,
            v_row.from_address, v_row.to_addresses, v_row.cc_addresses, now(), now(), true,
            'outbound', v_row.in_reply_to, v_row.references_ids, length(v_row.raw_mime), coalesce(v_labels, '{}'))
    on conflict (organization_id, email_account_id, provider_message_id) do update
       set sent_at = coalesce(m.sent_at, excluded.sent_at)
    returning m.id into v_msg;
    perform private.store_email_contents(v_row.email_account_id,
      jsonb_build_array(jsonb_build_object('provider_message_id', v_row.message_id, 'subject', v_row.subject)));
    update public.email_outbox o
       set status = 'sent', sent_at = now(), email_message_id = v_msg, last_error = null
     where o.organization_id = v_org and o.id = p_outbox;
    perform private.write_audit(v_org, 'email.sent', 'email_outbox', p_outbox,
      jsonb_build_object('email_account_id', v_row.email_account_id, 'email_message_id', v_msg,
                         'attempts', v_row.attempts));
  elsif p_outcome = 'retry' then
    update public.email_outbox o
       set status             = 'queued',
           last_error         = v_error,
           sending_started_at = null,
           next_attempt_at    = coalesce(p_retry_at,
                                         now() + least(power(2, least(v_row.attempts, 10)) * interval '1 minute',
                                                       interval '60 minutes'))
     where o.organization_id = v_org and o.id = p_outbox;
  else
    update public.email_outbox o
       set status = 'failed', last_error = v_error, sending_started_at = null
     where o.organization_id = v_org and o.id = p_outbox;
    perform private.write_audit(v_org, 'email.send_failed', 'email_outbox', p_outbox,
      jsonb_build_object('email_account_id', v_row.email_account_id, 'attempts', v_row.attempts));
  end if;
end
$$;
comment on function public.finish_email_send(uuid, text, text, timestamptz) is
  'Worker: records the outcome of sending a claimed message (sent: outbound email_messages row created unless it exists, linked; retry: queued again at p_retry_at or with back-off; failed). Audited. 42501 for another account''s message, 55000 when it is not sending.';
revoke execute on function public.finish_email_send(uuid, text, text, timestamptz) from public;
grant execute on function public.finish_email_send(uuid, text, text, timestamptz) to crmsync_worker;
