/*
 * 130_email_messages.sql — imported (inbound) and sent (outbound) mail of an email account.
 */
set local role crmsync_owner;

create table if not exists public.email_messages (
  id                  uuid not null default extensions.gen_random_uuid(),
  organization_id     uuid not null,
  email_account_id    uuid not null,
  provider_message_id text not null check (length(provider_message_id) > 0),
  thread_id           text,
  internet_message_id text,
  from_address        text,
  to_addresses        text[] not null default '{}',
  cc_addresses        text[] not null default '{}',
  subject             text,
  snippet             text,
  body_text           text,
  body_html           text,
  received_at         timestamptz,
  is_read             boolean not null default false,
  has_attachments     boolean not null default false,
  labels              text[] not null default '{}',
  direction           text not null default 'inbound' check (direction in ('inbound', 'outbound')),
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  primary key (organization_id, id),
  unique (organization_id, email_account_id, provider_message_id),
  -- target of email_attachments' composite key (message and its account stay consistent)
  unique (organization_id, email_account_id, id),
  foreign key (organization_id, email_account_id)
    references public.email_accounts (organization_id, id) on delete cascade
);
comment on table public.email_messages is 'Mail of an email account (inbound imported, outbound sent).';

create index if not exists email_messages_org_account_received_idx
  on public.email_messages (organization_id, email_account_id, received_at desc);
create index if not exists email_messages_org_thread_idx
  on public.email_messages (organization_id, thread_id);

alter table public.email_messages enable row level security;
alter table public.email_messages force row level security;
