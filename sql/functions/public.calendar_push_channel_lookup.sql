/*
 * public.calendar_push_channel_lookup.sql — Webhook (no identity; crmsync_worker only): the
 * channel with this provider and external id (Google channel id / Graph subscription id), its
 * account's owner, the sha256 of its secret, status and expiry. The caller compares the
 * presented secret's hash in constant time before acting.
 *
 * The text[] overload answers a whole Graph notification (many subscription ids) in one
 * statement: one row per id found, the same choice per id, at most 100 ids (54000 beyond:
 * an unauthenticated body must not buy unbounded work).
 */
set local role crmsync_owner;

-- webhooks -----------------------------------------------------------------------------------

create or replace function public.calendar_push_channel_lookup(p_provider text, p_external_id text)
returns table (channel_id uuid, organization_id uuid, user_id uuid, calendar_account_id uuid, token_hash bytea,
               status text, expires_at timestamptz, resource_id text)
language sql
stable
security definer
set search_path = ''
as $$
  select c.id, c.organization_id, a.user_id, c.calendar_account_id, c.token_hash, c.status, c.expires_at, c.resource_id
    from public.calendar_push_channels c
    join public.calendar_accounts a on a.organization_id = c.organization_id and a.id = c.calendar_account_id
   where c.provider = p_provider and c.external_id = p_external_id
   order by (c.status = 'active') desc, c.created_at desc
   limit 1
$$;
comment on function public.calendar_push_channel_lookup(text, text) is
  'Webhook (no identity; crmsync_worker only): the channel with this provider and external id (Google channel id / Graph subscription id), its account''s owner, the sha256 of its secret, status and expiry. The caller compares the presented secret''s hash in constant time before acting.';
revoke execute on function public.calendar_push_channel_lookup(text, text) from public;
grant execute on function public.calendar_push_channel_lookup(text, text) to crmsync_worker;

create or replace function public.calendar_push_channel_lookup(p_provider text, p_external_ids text[])
returns table (external_id text, channel_id uuid, organization_id uuid, user_id uuid, calendar_account_id uuid,
               token_hash bytea, status text, expires_at timestamptz, resource_id text)
language plpgsql
stable
security definer
set search_path = ''
as $$
#variable_conflict use_column
begin
  if coalesce(pg_catalog.cardinality(p_external_ids), 0) > 100 then
    raise exception 'at most 100 external ids per lookup' using errcode = '54000';
  end if;
  return query
    select distinct on (c.external_id)
           c.external_id, c.id, c.organization_id, a.user_id, c.calendar_account_id, c.token_hash, c.status, c.expires_at,
           c.resource_id
      from public.calendar_push_channels c
      join public.calendar_accounts a on a.organization_id = c.organization_id and a.id = c.calendar_account_id
     where c.provider = p_provider and c.external_id = any (p_external_ids)
     order by c.external_id, (c.status = 'active') desc, c.created_at desc;
end
$$;
comment on function public.calendar_push_channel_lookup(text, text[]) is
  'Webhook (no identity; crmsync_worker only): calendar_push_channel_lookup for up to 100 external ids in one statement (a Graph notification''s subscriptions), one row per id found. 54000 beyond 100 ids.';
revoke execute on function public.calendar_push_channel_lookup(text, text[]) from public;
grant execute on function public.calendar_push_channel_lookup(text, text[]) to crmsync_worker;
