/*
 * public.gmail_push_accounts.sql — Webhook (no identity; crmsync_worker only): the Gmail
 * accounts a verified Pub/Sub push for p_email concerns, with their owners, so the caller asks
 * for their sync in each owner's session. Only accounts crmsync registered a live watch for
 * (push_expires_at in the future), connected or in error, with sync on. At most 50 rows (one
 * address connected in more organizations is unusual; an unauthenticated body must not buy
 * unbounded work, and the caller has checked the deployment's push secret before calling).
 */
set local role crmsync_owner;

create or replace function public.gmail_push_accounts(p_email text)
returns table (organization_id uuid, user_id uuid, email_account_id uuid)
language sql
stable
security definer
set search_path = ''
as $$
  select a.organization_id, a.user_id, a.id
    from public.email_accounts a
   where a.provider = 'gmail' and lower(a.email) = lower(btrim(p_email))
     and a.sync_enabled and a.connection_status in ('connected', 'error')
     and a.push_expires_at > now()
   order by a.created_at
   limit 50
$$;
comment on function public.gmail_push_accounts(text) is
  'Webhook (no identity; crmsync_worker only): the Gmail accounts of this address with a live watch, and their owners (at most 50).';
revoke execute on function public.gmail_push_accounts(text) from public;
grant execute on function public.gmail_push_accounts(text) to crmsync_worker;
