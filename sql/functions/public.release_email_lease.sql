/*
 * public.release_email_lease.sql — Releases p_worker's lease on an email account (no-op
 * when p_worker does not hold it).
 */
set local role crmsync_owner;

create or replace function public.release_email_lease(p_account uuid, p_worker text)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  update public.email_accounts a
     set lease_owner = null, lease_expires_at = null
   where a.id = p_account and a.lease_owner = p_worker;
end
$$;
comment on function public.release_email_lease(uuid, text) is
  'Releases p_worker''s lease on an email account (no-op when p_worker does not hold it).';
revoke execute on function public.release_email_lease(uuid, text) from public;
grant execute on function public.release_email_lease(uuid, text) to crmsync_worker;
