/*
 * public.claim_email_outbox.sql — The worker takes up to p_limit messages of the caller's
 * account to send: queued ones that are due, and ones stuck in 'sending' for longer than
 * p_stale_seconds (a send that crashed: returned with was_sending = true, so the engine first
 * looks the Message-ID up in the Sent folder instead of sending twice). They become 'sending',
 * attempts + 1, sending_started_at = now(). FOR UPDATE SKIP LOCKED: two workers never take
 * the same row.
 *
 * Security definer (no write grant on email_outbox); the explicit filter (active organization,
 * the account's owner = auth.uid()) is the check: 42501 for another account.
 */
set local role crmsync_owner;

create or replace function public.claim_email_outbox(p_account uuid, p_limit int, p_stale_seconds int)
returns table (outbox_id uuid, message_id text, from_address text, to_addresses text[], cc_addresses text[],
               bcc_addresses text[], subject text, raw_mime bytea, in_reply_to text, references_ids text[],
               attempts int, was_sending boolean)
language plpgsql
volatile
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_org uuid := private.current_org_id();
begin
  perform 1
    from public.email_accounts a
   where a.organization_id = v_org and a.id = p_account and a.user_id = auth.uid();
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  if p_limit is null or p_limit < 1 or p_stale_seconds is null or p_stale_seconds < 1 then
    raise exception 'p_limit and p_stale_seconds must be positive' using errcode = '22023';
  end if;
  return query
  with due as (
    select o.organization_id, o.id, o.status as old_status
      from public.email_outbox o
     where o.organization_id = v_org and o.email_account_id = p_account
       and ((o.status = 'queued' and o.next_attempt_at <= now())
            or (o.status = 'sending' and o.sending_started_at < now() - make_interval(secs => p_stale_seconds)))
     order by o.next_attempt_at, o.created_at, o.id
     limit p_limit
       for update skip locked
  )
  update public.email_outbox o
     set status             = 'sending',
         attempts           = o.attempts + 1,
         sending_started_at = now()
    from due
   where o.organization_id = due.organization_id and o.id = due.id
  returning o.id, o.message_id, o.from_address, o.to_addresses, o.cc_addresses, o.bcc_addresses, o.subject,
            o.raw_mime, o.in_reply_to, o.references_ids, o.attempts, due.old_status = 'sending';
end
$$;
comment on function public.claim_email_outbox(uuid, int, int) is
  'Worker: takes up to p_limit due queued messages of the caller''s account, and ones stuck in sending longer than p_stale_seconds (was_sending = true: check Sent before resending); marks them sending, attempts + 1. 42501 for another account.';
revoke execute on function public.claim_email_outbox(uuid, int, int) from public;
grant execute on function public.claim_email_outbox(uuid, int, int) to crmsync_worker;
