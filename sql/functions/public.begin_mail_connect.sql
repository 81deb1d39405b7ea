/*
 * public.begin_mail_connect.sql — Starts a browser connect flow of a Gmail (p_provider google)
 * or Outlook (outlook) mailbox for the caller in the active organization: private.begin_oauth_connect
 * with purpose 'mail' (42501 when not a member; 10 minutes; at most 20 pending per user, shared
 * with calendar flows, 54000; audited). The callback then stores an email account.
 */
set local role crmsync_owner;

create or replace function public.begin_mail_connect(p_provider text, p_state text, p_code_verifier text)
returns table (id uuid, expires_at timestamptz)
language sql
volatile
security definer
set search_path = ''
as $$
  select b.id, b.expires_at from private.begin_oauth_connect('mail', p_provider, p_state, p_code_verifier, null) b
$$;
comment on function public.begin_mail_connect(text, text, text) is
  'Starts a browser connect flow of a Gmail/Outlook mailbox for the caller in the active organization (42501 when not a member): sha256(state) and the encrypted PKCE verifier for 10 minutes; at most 20 pending per user (54000); audited.';
revoke execute on function public.begin_mail_connect(text, text, text) from public;
grant execute on function public.begin_mail_connect(text, text, text) to authenticated;
