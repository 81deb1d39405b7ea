/*
 * 350_email_sharing.sql — mail shared inside the organization at the level its owner chooses,
 * enforced by row-level security, and the tables the mail API reads.
 *
 * A mailbox's sharing_level is private, metadata (participants and dates), subject, or full.
 * Each level's content lives in a table of its own, so one policy per table decides it:
 *   email_messages            metadata (addresses, dates, thread, size)   level >= metadata
 *   email_message_subjects    the subject                                 level >= subject
 *   email_message_bodies      snippet, text and HTML bodies               level  = full
 *   email_attachments         attachment metadata                         level  = full
 *   email_message_participants one row per address of a message          level >= metadata
 * (the owner sees everything of their own mailbox; nobody else gets more, org admins included).
 * public.email_messages_visible joins the tiers for readers; its search vectors are cumulative
 * per tier (participants; + subject; + body), so a search never matches what the reader
 * cannot see.
 *
 * Existing subjects and bodies move out of email_messages into their tables (idempotent: the
 * move runs only while email_messages still has the columns).
 */
set local role crmsync_owner;

-- GIN over (organization_id, tsvector): the search stays inside one organization's rows.
do $$
declare
  installed text := (select n.nspname from pg_catalog.pg_extension e
                       join pg_catalog.pg_namespace n on n.oid = e.extnamespace
                      where e.extname = 'btree_gin');
begin
  if installed is null then
    reset role;  -- btree_gin is a trusted extension: the migrating role may create it
    create extension btree_gin with schema extensions;
    set local role crmsync_owner;
  elsif installed <> 'extensions' then
    raise exception 'btree_gin is installed in schema %, crmsync expects it in extensions', installed;
  end if;
end
$$;

-- sharing level ------------------------------------------------------------------------------

alter table public.email_accounts add column if not exists sharing_level text not null default 'private';
do $$
begin
  if not exists (select 1 from pg_catalog.pg_constraint where conname = 'email_accounts_sharing_level_check') then
    alter table public.email_accounts add constraint email_accounts_sharing_level_check
      check (sharing_level in ('private', 'metadata', 'subject', 'full'));
  end if;
end
$$;
comment on column public.email_accounts.sharing_level is
  'What other members of the organization see of this mailbox: private, metadata (participants, dates), subject, full. Set by its owner only.';

-- list order and participants' search vector ---------------------------------------------------

/* Addresses of a message as one text for to_tsvector: each address whole and split at @ and
   dots, so "bob@example.com", "bob" and "example" all match; null without any address.
   Immutable (generated column). */
create or replace function private.email_address_words(p_from text, p_to text[], p_cc text[])
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select nullif(btrim(x.words || ' ' || translate(x.words, '@.<>"', '     ')), '')
    from (select coalesce(p_from, '') || ' ' || coalesce(array_to_string(p_to, ' '), '') || ' '
                 || coalesce(array_to_string(p_cc, ' '), '') as words) x
$$;
revoke execute on function private.email_address_words(text, text[], text[]) from public;
-- a generated column's expression runs with the writer's rights
grant execute on function private.email_address_words(text, text[], text[]) to authenticated, crmsync_worker;

alter table public.email_messages
  add column if not exists listed_at timestamptz generated always as (coalesce(received_at, sent_at, created_at)) stored;
alter table public.email_messages
  add column if not exists search tsvector
  generated always as (to_tsvector('simple'::regconfig,
                                    coalesce(private.email_address_words(from_address, to_addresses, cc_addresses), ''))) stored;
comment on column public.email_messages.listed_at is 'The list order: received, else sent, else imported (keyset pagination with id).';
comment on column public.email_messages.search is 'Full-text vector of the participants (what the metadata level may match).';

create index if not exists email_messages_org_listed_idx
  on public.email_messages (organization_id, listed_at desc, id desc);
create index if not exists email_messages_org_account_listed_idx
  on public.email_messages (organization_id, email_account_id, listed_at desc, id desc);
create index if not exists email_messages_org_search_idx
  on public.email_messages using gin (organization_id, search);

-- subjects -----------------------------------------------------------------------------------

create table if not exists public.email_message_subjects (
  organization_id  uuid not null,
  email_account_id uuid not null,
  email_message_id uuid not null,
  subject          text,
  search           tsvector not null,
  primary key (organization_id, email_message_id),
  foreign key (organization_id, email_account_id, email_message_id)
    references public.email_messages (organization_id, email_account_id, id) on delete cascade
);
comment on table public.email_message_subjects is
  'The subject of each email message (one row per message), readable at sharing level subject or full.';
comment on column public.email_message_subjects.search is 'Participants and subject (what the subject level may match).';
create index if not exists email_message_subjects_org_search_idx
  on public.email_message_subjects using gin (organization_id, search);

-- bodies -------------------------------------------------------------------------------------

create table if not exists public.email_message_bodies (
  organization_id  uuid not null,
  email_account_id uuid not null,
  email_message_id uuid not null,
  snippet          text,
  body_text        text,
  body_html        text,
  search           tsvector not null,
  primary key (organization_id, email_message_id),
  foreign key (organization_id, email_account_id, email_message_id)
    references public.email_messages (organization_id, email_account_id, id) on delete cascade
);
comment on table public.email_message_bodies is
  'Snippet and bodies of each email message (one row per message), readable at sharing level full only.';
comment on column public.email_message_bodies.search is
  'Participants, subject and the body''s first 100,000 characters (what the owner and the full level match).';
create index if not exists email_message_bodies_org_search_idx
  on public.email_message_bodies using gin (organization_id, search);

-- participants -------------------------------------------------------------------------------

create table if not exists public.email_message_participants (
  organization_id  uuid not null,
  address          text not null check (address = lower(address) and length(address) > 0),
  email_message_id uuid not null,
  email_account_id uuid not null,
  role             text not null check (role in ('from', 'to', 'cc')),
  listed_at        timestamptz not null,
  primary key (organization_id, email_message_id, role, address),
  foreign key (organization_id, email_account_id, email_message_id)
    references public.email_messages (organization_id, email_account_id, id) on delete cascade
);
comment on table public.email_message_participants is
  'Every address of every message (lower-cased bare address), kept by a trigger on email_messages: join a CRM contact to its mail.';
create index if not exists email_message_participants_address_idx
  on public.email_message_participants (organization_id, address, listed_at desc, email_message_id desc);

-- move existing content out of email_messages -------------------------------------------------

do $$
begin
  if exists (select 1 from information_schema.columns
              where table_schema = 'public' and table_name = 'email_messages' and column_name = 'body_text') then
    execute $move$
      insert into public.email_message_subjects (organization_id, email_account_id, email_message_id, subject, search)
      select m.organization_id, m.email_account_id, m.id, m.subject,
             m.search || to_tsvector('simple'::regconfig, coalesce(m.subject, ''))
        from public.email_messages m
      on conflict do nothing;
      insert into public.email_message_bodies (organization_id, email_account_id, email_message_id, snippet,
                                               body_text, body_html, search)
      select m.organization_id, m.email_account_id, m.id, m.snippet, m.body_text, m.body_html,
             m.search || to_tsvector('simple'::regconfig, coalesce(m.subject, '')) || to_tsvector('simple'::regconfig,
               left(coalesce(m.body_text, regexp_replace(coalesce(m.body_html, ''), '<[^>]*>', ' ', 'g')), 100000))
        from public.email_messages m
      on conflict do nothing;
    $move$;
    alter table public.email_messages drop column subject, drop column snippet,
                                      drop column body_text, drop column body_html;
  end if;
end
$$;

/* The bare, lower-cased address of "Name <addr>" or "addr" (null for an empty one). */
create or replace function private.email_bare_address(p_address text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select nullif(lower(btrim(coalesce(substring(p_address from '<([^<>]*)>\s*$'), p_address))), '')
$$;
revoke execute on function private.email_bare_address(text) from public;

/* The distinct (bare lower-cased address, role) pairs of a message's From, To and Cc: the rows
   of public.email_message_participants (private.sync_email_participants keeps them). */
create or replace function private.email_participant_addresses(p_from text, p_to text[], p_cc text[])
returns table (address text, role text)
language sql
immutable
parallel safe
set search_path = ''
as $$
  select distinct private.email_bare_address(x.a), x.role
    from (select p_from as a, 'from' as role
          union all select t, 'to' from unnest(p_to) t
          union all select c, 'cc' from unnest(p_cc) c) x
   where private.email_bare_address(x.a) is not null
$$;
revoke execute on function private.email_participant_addresses(text, text[], text[]) from public;

-- participants of messages stored before the table existed (the trigger keeps them after)
insert into public.email_message_participants (organization_id, address, email_message_id, email_account_id, role, listed_at)
select m.organization_id, p.address, m.id, m.email_account_id, p.role, m.listed_at
  from public.email_messages m
 cross join lateral private.email_participant_addresses(m.from_address, m.to_addresses, m.cc_addresses) p
on conflict do nothing;

-- row-level security on, after the rows above were moved in (the policies are in policies/)
alter table public.email_message_subjects enable row level security;
alter table public.email_message_subjects force row level security;
alter table public.email_message_bodies enable row level security;
alter table public.email_message_bodies force row level security;
alter table public.email_message_participants enable row level security;
alter table public.email_message_participants force row level security;
