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

create or replace function private.fill_attachment_account()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.email_account_id is null then
    select m.email_account_id into new.email_account_id
      from public.email_messages m
     where m.organization_id = new.organization_id and m.id = new.email_message_id;
  end if;
  return new;
end
$$;
comment on function private.fill_attachment_account() is
  'BEFORE INSERT trigger on email_attachments: fills email_account_id from the (visible) message when omitted.';
revoke execute on function private.fill_attachment_account() from public;

create or replace trigger email_attachments_fill_account
  before insert on public.email_attachments
  for each row execute function private.fill_attachment_account();
create or replace trigger email_attachments_set_updated_at
  before update on public.email_attachments
  for each row execute function private.set_updated_at();
create or replace trigger email_attachments_forbid_organization_change
  before update on public.email_attachments
  for each row execute function private.forbid_organization_change();
