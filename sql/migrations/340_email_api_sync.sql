/*
 * 340_email_api_sync.sql — what Gmail and Microsoft Graph mail sync keep besides the IMAP
 * cursors of 320_email_sync.sql.
 *
 *   - Gmail: one cursor per account, the mailbox's historyId, in email_accounts.sync_cursor
 *     (taken before a full listing, advanced after each committed history round).
 *   - Graph: one cursor per synced folder (inbox, sentitems), the folder's @odata.deltaLink, in
 *     email_folders.sync_cursor.
 *   - Push: email_accounts.push_expires_at, when the provider's registration lapses (Gmail
 *     users.watch lasts 7 days and is renewed daily).
 *   - Messages of both are keyed by the provider's id (Gmail id, Graph immutable id); their
 *     `labels` are the Gmail label ids, or the Graph folder's well-known name plus categories,
 *     and a message left with none of the synced labels is in no synced folder (expunged_at).
 */
set local role crmsync_owner;

alter table public.email_folders add column if not exists sync_cursor text;
comment on column public.email_folders.sync_cursor is
  'Graph: the folder''s @odata.deltaLink (next round starts there); null = full listing next. Unused for IMAP.';
comment on column public.email_accounts.sync_cursor is
  'Gmail: the mailbox historyId the next history round starts from; null = full listing next.';

alter table public.email_accounts add column if not exists push_expires_at timestamptz;
comment on column public.email_accounts.push_expires_at is
  'When the provider''s push registration for this mailbox lapses (Gmail users.watch); null = none registered.';

-- A Gmail push names the mailbox by address only (gmail_push_accounts).
create index if not exists email_accounts_gmail_address_idx
  on public.email_accounts (lower(email))
  where provider = 'gmail';

-- Graph message subscription of an Outlook mailbox's Inbox (one per account): its id and the
-- sha256 of its clientState; push_expires_at above is its expiry. The secret itself is never
-- stored; a notification's clientState is hashed and compared (email_push_subscription_lookup).
alter table public.email_accounts add column if not exists push_subscription_id text;
alter table public.email_accounts add column if not exists push_secret_hash bytea;
comment on column public.email_accounts.push_subscription_id is
  'Outlook: the Graph subscription on the Inbox''s messages; null = none.';
comment on column public.email_accounts.push_secret_hash is
  'Outlook: sha256 of the subscription''s clientState (never the secret; granted to no client role).';
create index if not exists email_accounts_push_subscription_idx
  on public.email_accounts (push_subscription_id)
  where push_subscription_id is not null;

-- The browser connect flow also connects Gmail and Outlook mailboxes: a flow's purpose, and the
-- mailbox it connected.
alter table public.oauth_connect_states add column if not exists purpose text not null default 'calendar';
alter table public.oauth_connect_states add column if not exists email_account_id uuid;
do $$
begin
  if not exists (select 1 from pg_catalog.pg_constraint where conname = 'oauth_connect_states_purpose_check') then
    alter table public.oauth_connect_states
      add constraint oauth_connect_states_purpose_check check (purpose in ('calendar', 'mail'));
  end if;
  if not exists (select 1 from pg_catalog.pg_constraint where conname = 'oauth_connect_states_email_account_fkey') then
    alter table public.oauth_connect_states
      add constraint oauth_connect_states_email_account_fkey foreign key (organization_id, email_account_id)
      references public.email_accounts (organization_id, id) on delete set null (email_account_id);
  end if;
end
$$;
comment on column public.oauth_connect_states.purpose is
  'What the flow connects: a calendar (calendar_account_id) or a Gmail/Outlook mailbox (email_account_id).';
create index if not exists oauth_connect_states_email_account_idx
  on public.oauth_connect_states (organization_id, email_account_id) where email_account_id is not null;
