/*
 * public.queue_email.sql — A person queues a message for sending from their own email account
 * in the active organization: the built RFC 5322 message (p_raw, no secrets in it) with its
 * Message-ID fixed now, so a resend after a crash can be recognized in the Sent folder. Asks
 * for a sync of the account (the worker sends during a run) and returns the outbox id; audited.
 *
 * With p_idempotency_key (and p_request_sha256, the hash of the request it came with) a
 * repeated request is queued once: the first call inserts, a later call with the same key by
 * the same person in the organization returns that row (outcome 'replayed') whatever happened
 * to it since, and one with the same key but another request hash returns no id (outcome
 * 'key_reused'). Two concurrent calls with one key meet on the unique index of 355 (`on
 * conflict do nothing`): one row, the other call replays it.
 *
 * Security definer: nobody holds a write grant on email_outbox; the explicit filter (active
 * organization, auth.uid()) is the check. 42501 for another account; 22023 for no recipient,
 * an empty message or Message-ID, or a malformed key; 23505 for a Message-ID already queued
 * for the account.
 */
set local role crmsync_owner;

-- The shape before idempotency keys (it returned the bare id).
drop function if exists public.queue_email(uuid, text, text, text[], text[], text[], text, bytea, text, text[]);

create or replace function public.queue_email(
  p_account     uuid,
  p_message_id  text,
  p_from        text,
  p_to          text[],
  p_cc          text[],
  p_bcc         text[],
  p_subject     text,
  p_raw         bytea,
  p_in_reply_to text,
  p_references  text[],
  p_idempotency_key text default null,
  p_request_sha256  bytea default null
) returns table (outbox_id uuid, outcome text)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_org uuid := private.current_org_id();
  v_to  text[] := array(select btrim(x) from unnest(coalesce(p_to, '{}')) x where nullif(btrim(x), '') is not null);
  v_cc  text[] := array(select btrim(x) from unnest(coalesce(p_cc, '{}')) x where nullif(btrim(x), '') is not null);
  v_bcc text[] := array(select btrim(x) from unnest(coalesce(p_bcc, '{}')) x where nullif(btrim(x), '') is not null);
  v_id  uuid;
  v_previous record;
begin
  perform 1
    from public.email_accounts a
   where a.organization_id = v_org and a.id = p_account and a.user_id = auth.uid();
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  if p_idempotency_key is not null then
    if p_idempotency_key !~ '^[!-~]{1,255}$' then
      raise exception 'p_idempotency_key must be 1 to 255 visible ASCII characters' using errcode = '22023';
    end if;
    if p_request_sha256 is null or length(p_request_sha256) <> 32 then
      raise exception 'p_request_sha256 must hold the sha256 of the request' using errcode = '22023';
    end if;
    select o.id, o.request_sha256 into v_previous
      from public.email_outbox o
     where o.organization_id = v_org and o.created_by = auth.uid() and o.idempotency_key = p_idempotency_key;
    if found then
      return query select case when v_previous.request_sha256 = p_request_sha256 then v_previous.id end,
                          case when v_previous.request_sha256 = p_request_sha256 then 'replayed' else 'key_reused' end;
      return;
    end if;
  end if;
  if nullif(btrim(p_message_id), '') is null then
    raise exception 'p_message_id must hold the Message-ID' using errcode = '22023';
  end if;
  if nullif(btrim(p_from), '') is null then
    raise exception 'p_from must hold the sender address' using errcode = '22023';
  end if;
  if cardinality(v_to) + cardinality(v_cc) + cardinality(v_bcc) = 0 then
    raise exception 'a message needs at least one recipient (to, cc or bcc)' using errcode = '22023';
  end if;
  if p_raw is null or length(p_raw) = 0 then
    raise exception 'p_raw must hold the message' using errcode = '22023';
  end if;

  begin
    insert into public.email_outbox (organization_id, email_account_id, message_id, from_address, to_addresses,
                                     cc_addresses, bcc_addresses, subject, raw_mime, in_reply_to, references_ids,
                                     created_by, idempotency_key, request_sha256)
    values (v_org, p_account, btrim(p_message_id), btrim(p_from), v_to, v_cc, v_bcc, p_subject, p_raw,
            nullif(btrim(p_in_reply_to), ''), coalesce(p_references, '{}'), auth.uid(),
            p_idempotency_key, case when p_idempotency_key is not null then p_request_sha256 end)
    on conflict (organization_id, created_by, idempotency_key) where idempotency_key is not null do nothing
    returning id into v_id;
  exception when unique_violation then
    raise exception 'a message with this Message-ID is already queued for the account' using errcode = '23505';
  end;
  if v_id is null then
    -- A concurrent call with the same key committed first (the insert waited for it).
    select o.id, o.request_sha256 into v_previous
      from public.email_outbox o
     where o.organization_id = v_org and o.created_by = auth.uid() and o.idempotency_key = p_idempotency_key;
    return query select case when v_previous.request_sha256 = p_request_sha256 then v_previous.id end,
                        case when v_previous.request_sha256 = p_request_sha256 then 'replayed' else 'key_reused' end;
    return;
  end if;

  update public.email_accounts a
     set sync_requested_at = now(), next_sync_at = now()
   where a.organization_id = v_org and a.id = p_account;
  perform pg_catalog.pg_notify('crmsync_sync_requested', p_account::text);

  perform private.write_audit(v_org, 'email.queued', 'email_outbox', v_id,
    jsonb_build_object('email_account_id', p_account,
                       'recipients', cardinality(v_to) + cardinality(v_cc) + cardinality(v_bcc),
                       'size_bytes', length(p_raw), 'idempotency_key', p_idempotency_key is not null));
  return query select v_id, 'queued'::text;
end
$$;
comment on function public.queue_email(uuid, text, text, text[], text[], text[], text, bytea, text, text[], text, bytea) is
  'Queues a built RFC 5322 message for sending from the caller''s email account (Message-ID fixed now) and requests a sync; audited. With an idempotency key a repeated request returns the first row (outcome replayed) or no id (key_reused, another request with the same key). 42501 for another account, 22023 for no recipient, 23505 for a Message-ID already queued.';
revoke execute on function public.queue_email(uuid, text, text, text[], text[], text[], text, bytea, text, text[], text, bytea) from public;
grant execute on function public.queue_email(uuid, text, text, text[], text[], text[], text, bytea, text, text[], text, bytea) to authenticated;
