/*
 * public.renew_email_lease.sql — Extends p_worker's lease on an email account; false when
 * the lease was lost (released, or taken over after it expired).
 */
set local role crmsync_owner;

create or replace function public.renew_email_lease(p_account uuid, p_worker text, p_lease_seconds int)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if p_lease_seconds is null or p_lease_seconds < 1 then
    raise exception 'p_lease_seconds must be positive' using errcode = '22023';
  end if;
  update public.email_accounts a
     set lease_expires_at = now() + make_interval(secs => p_lease_seconds)
   where a.id = p_account and a.lease_owner = p_worker;
  return found;
end
$$;
comment on function public.renew_email_lease(uuid, text, int) is
  'Extends p_worker''s lease on an email account; false when the lease was lost (released, or taken over after it expired).';
revoke execute on function public.renew_email_lease(uuid, text, int) from public;
grant execute on function public.renew_email_lease(uuid, text, int) to crmsync_worker;
