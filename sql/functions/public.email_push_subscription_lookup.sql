/*
 * public.email_push_subscription_lookup.sql — Webhook (no identity; crmsync_worker only): the
 * Outlook mail accounts whose Graph subscription ids are among p_subscription_ids, with their
 * owners and the sha256 of the subscription's clientState, so the caller compares the presented
 * clientState in constant time before marking anything due. At most 100 ids (54000 beyond: an
 * unauthenticated body must not buy unbounded work), as calendar_push_channel_lookup.
 */
set local role crmsync_owner;

create or replace function public.email_push_subscription_lookup(p_subscription_ids text[])
returns table (subscription_id text, organization_id uuid, user_id uuid, email_account_id uuid, secret_hash bytea,
               expires_at timestamptz)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if coalesce(cardinality(p_subscription_ids), 0) > 100 then
    raise exception 'at most 100 subscription ids per lookup' using errcode = '54000';
  end if;
  return query
    select a.push_subscription_id, a.organization_id, a.user_id, a.id, a.push_secret_hash, a.push_expires_at
      from public.email_accounts a
     where a.push_subscription_id = any (p_subscription_ids)
       and a.provider = 'outlook' and a.push_secret_hash is not null;
end
$$;
comment on function public.email_push_subscription_lookup(text[]) is
  'Webhook (no identity; crmsync_worker only): Outlook mail accounts by Graph subscription id, with owner, sha256 of the clientState and expiry (at most 100 ids).';
revoke execute on function public.email_push_subscription_lookup(text[]) from public;
grant execute on function public.email_push_subscription_lookup(text[]) to crmsync_worker;
