/*
 * 140_email_attachments.sql — attachment metadata of email messages (content is fetched from
 * the provider on demand, never stored).
 *
 * email_account_id is denormalized from the message so policies can filter on it directly;
 * when an INSERT omits it a trigger fills it from the message (as the invoker, so only a
 * visible message counts), and the composite foreign key keeps it consistent.
 */
set local role crmsync_owner;

create table if not exists public.email_attachments (
  id                     uuid not null default extensions.gen_random_uuid(),
  organization_id        uuid not null,
  email_account_id       uuid not null,
  email_message_id       uuid not null,
  filename               text,
  content_type           text,
  size_bytes             bigint check (size_bytes >= 0),
  provider_attachment_id text,
  content_id             text,
  created_at             timestamptz not null default now(),
  updated_at             timestamptz not null default now(),
  primary key (organization_id, id),
  foreign key (organization_id, email_account_id, email_message_id)
    references public.email_messages (organization_id, email_account_id, id) on delete cascade
);
comment on table public.email_attachments is 'Attachment metadata of email messages (no content).';
comment on column public.email_attachments.email_account_id is
  'Account of the message (filled from the message when omitted); lets policies filter without a join.';

create index if not exists email_attachments_org_message_idx
  on public.email_attachments (organization_id, email_account_id, email_message_id);

alter table public.email_attachments enable row level security;
alter table public.email_attachments force row level security;
