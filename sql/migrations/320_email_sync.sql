/*
 * 320_email_sync.sql — what the mail sync engine keeps: the scheduling lease of an email
 * account, per-folder IMAP cursors, where each message sits on the server, sync runs and the
 * outbox of mail sent from the CRM.
 *
 * Modeled on the calendar side (200_calendar_sync_state.sql, 110_calendar_sync_log.sql):
 *   - email_accounts gains the lease (lease_owner, lease_expires_at), the person's request to
 *     sync (sync_requested_at), the last run's error (last_error) and the folders to sync
 *     (sync_folders: null = INBOX + the special-use Sent folder).
 *   - email_messages gains threading headers (in_reply_to, references_ids), size_bytes,
 *     body_truncated, sent_at and expunged_at: a message in no folder on the server any more is
 *     marked, never deleted (the CRM may link to it). One message in several folders is one row:
 *     for IMAP the engine passes provider_message_id = the Message-ID ('sha256:<hex>' when absent).
 *   - email_folders: one row per synced folder, its (uidvalidity, last_uid, highestmodseq).
 *   - email_message_locations: (folder, uid) → message, with the flags and modseq seen there;
 *     email_messages.is_read = any location carries \Seen (kept by the SQL functions).
 *   - email_attachments gains is_inline.
 *   - email_sync_log: one row per mail sync run (the calendar_sync_log's shape).
 *   - email_outbox: mail queued in the CRM, sent by the worker (the raw RFC 5322 message, no
 *     secrets in it), with its attempts; the sent message becomes an outbound email_messages row.
 *
 * Every new table carries organization_id in every key (distributable by organization), RLS is
 * enabled and forced here; the policies are in policies/<table>.sql.
 */
set local role crmsync_owner;

-- email_accounts -----------------------------------------------------------------------------

alter table public.email_accounts add column if not exists lease_owner text;
alter table public.email_accounts add column if not exists lease_expires_at timestamptz;
alter table public.email_accounts add column if not exists sync_requested_at timestamptz;
alter table public.email_accounts add column if not exists last_error text;
alter table public.email_accounts add column if not exists sync_folders text[];

comment on column public.email_accounts.lease_owner is
  'Worker holding the sync lease (set by claim_email_accounts); null when free.';
comment on column public.email_accounts.lease_expires_at is
  'When the sync lease lapses; an expired lease may be claimed by another worker.';
comment on column public.email_accounts.sync_requested_at is
  'A person asked to sync now (request_email_sync, queue_email); cleared when a worker claims the account.';
comment on column public.email_accounts.last_error is
  'Error of the last failed or partial run; null after a success.';
comment on column public.email_accounts.sync_folders is
  'IMAP folders to sync by name; null = INBOX and the special-use Sent folder.';

create index if not exists email_accounts_schedule_idx
  on public.email_accounts (next_sync_at)
  where sync_enabled and connection_status in ('connected', 'error');
create index if not exists email_accounts_sync_requested_idx
  on public.email_accounts (sync_requested_at)
  where sync_requested_at is not null and sync_enabled and connection_status in ('connected', 'error');
-- Lease renew/release address an account by id alone (the primary key leads with the org).
create index if not exists email_accounts_id_idx on public.email_accounts (id);

-- email_messages -----------------------------------------------------------------------------

alter table public.email_messages add column if not exists in_reply_to text;
alter table public.email_messages add column if not exists references_ids text[] not null default '{}';
alter table public.email_messages add column if not exists size_bytes bigint;
alter table public.email_messages add column if not exists body_truncated boolean not null default false;
alter table public.email_messages add column if not exists expunged_at timestamptz;
alter table public.email_messages add column if not exists sent_at timestamptz;

comment on column public.email_messages.in_reply_to is 'In-Reply-To header (a Message-ID).';
comment on column public.email_messages.references_ids is 'References header, oldest first (Message-IDs).';
comment on column public.email_messages.size_bytes is 'Size of the whole message on the server (RFC822.SIZE).';
comment on column public.email_messages.body_truncated is 'body_text/body_html were cut to the engine''s limit.';
comment on column public.email_messages.expunged_at is
  'Set when the message is in no synced folder on the server any more (never deleted for it); null when present.';
comment on column public.email_messages.sent_at is 'When crmsync sent it (outbound mail from email_outbox).';

-- Threading: a reply finds its parent by Message-ID within the account.
create index if not exists email_messages_org_account_message_id_idx
  on public.email_messages (organization_id, email_account_id, internet_message_id)
  where internet_message_id is not null;

-- email_attachments --------------------------------------------------------------------------

alter table public.email_attachments add column if not exists is_inline boolean not null default false;
comment on column public.email_attachments.is_inline is 'Shown inline in the body (Content-Disposition: inline, or referenced by cid:).';

-- email_folders ------------------------------------------------------------------------------

create table if not exists public.email_folders (
  organization_id   uuid not null,
  id                uuid not null default extensions.gen_random_uuid(),
  email_account_id  uuid not null,
  name              text not null check (length(name) > 0),
  role              text not null default 'other' check (role in ('inbox', 'sent', 'other')),
  uidvalidity       bigint check (uidvalidity > 0),
  last_uid          bigint not null default 0 check (last_uid >= 0),
  highestmodseq     bigint check (highestmodseq >= 0),
  last_full_scan_at timestamptz,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  primary key (organization_id, id),
  unique (organization_id, email_account_id, name),
  -- target of email_message_locations' composite key (folder and its account stay consistent)
  unique (organization_id, email_account_id, id),
  foreign key (organization_id, email_account_id)
    references public.email_accounts (organization_id, id) on delete cascade
);
comment on table public.email_folders is
  'A synced IMAP folder of an email account and its cursor (uidvalidity, last_uid, highestmodseq; null highestmodseq = no CONDSTORE).';

alter table public.email_folders enable row level security;
alter table public.email_folders force row level security;

-- email_message_locations --------------------------------------------------------------------

create table if not exists public.email_message_locations (
  organization_id  uuid not null,
  email_account_id uuid not null,
  email_message_id uuid not null,
  folder_id        uuid not null,
  uid              bigint not null check (uid > 0),
  flags            text[] not null default '{}',
  modseq           bigint check (modseq >= 0),
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  primary key (organization_id, folder_id, uid),
  foreign key (organization_id, email_account_id, folder_id)
    references public.email_folders (organization_id, email_account_id, id) on delete cascade,
  foreign key (organization_id, email_account_id, email_message_id)
    references public.email_messages (organization_id, email_account_id, id) on delete cascade
);
comment on table public.email_message_locations is
  'Where a message sits on the server: (folder, uid) with the flags and modseq seen there. One message may sit in several folders.';

create index if not exists email_message_locations_org_message_idx
  on public.email_message_locations (organization_id, email_message_id);
create index if not exists email_message_locations_org_account_idx
  on public.email_message_locations (organization_id, email_account_id);

alter table public.email_message_locations enable row level security;
alter table public.email_message_locations force row level security;

-- email_sync_log -----------------------------------------------------------------------------

create table if not exists public.email_sync_log (
  id                uuid not null default extensions.gen_random_uuid(),
  organization_id   uuid not null,
  email_account_id  uuid not null,
  sync_type         text not null default 'auto' check (sync_type in ('manual', 'auto', 'webhook')),
  messages_imported integer not null default 0 check (messages_imported >= 0),
  messages_updated  integer not null default 0 check (messages_updated >= 0),
  messages_deleted  integer not null default 0 check (messages_deleted >= 0),
  errors            integer not null default 0 check (errors >= 0),
  status            text not null default 'running' check (status in ('running', 'success', 'partial', 'failed')),
  error_details     jsonb not null default '[]'::jsonb,
  started_at        timestamptz not null default now(),
  completed_at      timestamptz,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  primary key (organization_id, id),
  constraint email_sync_log_completed_after_start check (completed_at >= started_at),
  foreign key (organization_id, email_account_id)
    references public.email_accounts (organization_id, id) on delete cascade
);
comment on table public.email_sync_log is 'One row per mail sync run: counts, errors, status.';

create index if not exists email_sync_log_org_account_started_idx
  on public.email_sync_log (organization_id, email_account_id, started_at desc);
create index if not exists email_sync_log_org_started_idx
  on public.email_sync_log (organization_id, started_at desc);

alter table public.email_sync_log enable row level security;
alter table public.email_sync_log force row level security;

-- email_outbox -------------------------------------------------------------------------------

create table if not exists public.email_outbox (
  organization_id    uuid not null,
  id                 uuid not null default extensions.gen_random_uuid(),
  email_account_id   uuid not null,
  message_id         text not null check (length(message_id) > 0),
  from_address       text not null check (length(from_address) > 0),
  to_addresses       text[] not null default '{}',
  cc_addresses       text[] not null default '{}',
  bcc_addresses      text[] not null default '{}',
  subject            text,
  raw_mime           bytea not null check (length(raw_mime) > 0),
  in_reply_to        text,
  references_ids     text[] not null default '{}',
  status             text not null default 'queued' check (status in ('queued', 'sending', 'sent', 'failed')),
  attempts           integer not null default 0 check (attempts >= 0),
  last_error         text,
  next_attempt_at    timestamptz not null default now(),
  sending_started_at timestamptz,
  sent_at            timestamptz,
  email_message_id   uuid,
  created_by         uuid,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  primary key (organization_id, id),
  -- the Message-ID is fixed when queued: a resend after a crash is recognizable in Sent
  unique (organization_id, email_account_id, message_id),
  constraint email_outbox_has_recipient check
    (cardinality(to_addresses) + cardinality(cc_addresses) + cardinality(bcc_addresses) > 0),
  foreign key (organization_id, email_account_id)
    references public.email_accounts (organization_id, id) on delete cascade,
  foreign key (organization_id, email_account_id, email_message_id)
    references public.email_messages (organization_id, email_account_id, id) on delete set null (email_message_id)
);
comment on table public.email_outbox is
  'Mail queued in the CRM (queue_email), sent by the worker (claim_email_outbox, finish_email_send). raw_mime is the built RFC 5322 message.';
comment on column public.email_outbox.message_id is 'The Message-ID header, fixed when queued (unique per account).';
comment on column public.email_outbox.email_message_id is 'The outbound email_messages row created when sent.';

create index if not exists email_outbox_org_account_due_idx
  on public.email_outbox (organization_id, email_account_id, next_attempt_at)
  where status in ('queued', 'sending');

alter table public.email_outbox enable row level security;
alter table public.email_outbox force row level security;

-- the parsed import batch --------------------------------------------------------------------

/*
 * One message element of an import batch (public.import_email_messages), parsed once and
 * handed between the function's set-based statements as an array.
 */
do $$
begin
  if to_regtype('private.email_import_item') is null then
    create type private.email_import_item as (
      ord                 bigint,
      provider_message_id text,
      internet_message_id text,
      thread_given        text,
      thread_id           text,
      from_address        text,
      to_addresses        text[],
      cc_addresses        text[],
      subject             text,
      snippet             text,
      body_text           text,
      body_html           text,
      body_truncated      boolean,
      received_at         timestamptz,
      size_bytes          bigint,
      in_reply_to         text,
      references_ids      text[],
      direction           text,
      labels              text[],
      uid                 bigint,
      flags               text[],
      modseq              bigint,
      attachments         jsonb,
      seen                boolean
    );
  end if;
end
$$;
comment on type private.email_import_item is
  'One parsed message element of an import batch (import_email_messages).';
