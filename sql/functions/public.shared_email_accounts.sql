/*
 * public.shared_email_accounts.sql — the mailboxes the caller may read in the active
 * organization: their own, and the ones other members share (sharing_level <> 'private'),
 * with the level each is shared at. Members cannot read other members' email_accounts rows;
 * this names the shared ones without exposing anything else about them.
 */
set local role crmsync_owner;

create or replace function public.shared_email_accounts()
returns table (id uuid, user_id uuid, email text, provider text, sharing_level text, is_mine boolean)
language sql
stable
security definer
set search_path = ''
as $$
  select a.id, a.user_id, a.email, a.provider, a.sharing_level, a.user_id = auth.uid()
    from public.email_accounts a
   where a.organization_id = private.current_org_id()
     and (a.user_id = auth.uid() or a.sharing_level <> 'private')
   order by a.email, a.id
$$;
comment on function public.shared_email_accounts() is
  'The caller''s own mailboxes and those shared with the active organization (id, owner, address, provider, level).';
revoke execute on function public.shared_email_accounts() from public;
grant execute on function public.shared_email_accounts() to authenticated;
