/*
 * public.search_email_messages.sql — full-text search over the mail the caller may see, newest
 * first, one keyset page at a time.
 *
 * p_query uses web-search syntax ("quoted phrase", or, -word) with the 'simple' configuration
 * (no stemming: names, addresses and words of any language match as written). A message
 * is matched by the most its reader may see, and only by that: participants at the metadata
 * level; participants and subject at the subject level; those and the body for the owner and at
 * the full level.
 * A word of a body nobody shared never finds its message: each tier is searched only in the
 * mailboxes private.visible_email_account_ids() names for its level, the very set its policy
 * allows. Security definer for speed, not reach: under RLS the planner may not use the
 * (organization_id, search) GIN indexes, since the policy's filter must run before the
 * non-leakproof @@ operator; here the same filter is spelled out and the index serves it.
 * The keys returned are read back through email_messages_visible in the caller's session,
 * where the policies apply again.
 * p_thread, p_participant (an address) and p_folder (the caller's own mailboxes' folders only)
 * narrow it like the listing's filters. Returns the page's keys in order; read the rows through public.email_messages_visible
 * (join on organization_id and id). Page: p_before_at/p_before_id are the last row's
 * (listed_at, id); both or neither.
 * 22023 for an empty query, a query with no words, half a cursor or a limit outside 1..500.
 */
set local role crmsync_owner;

drop function if exists public.search_email_messages(text, uuid, timestamptz, uuid, integer);

create or replace function public.search_email_messages(
  p_query       text,
  p_account     uuid default null,
  p_before_at   timestamptz default null,
  p_before_id   uuid default null,
  p_limit       integer default 50,
  p_thread      text default null,
  p_participant text default null,
  p_folder      text default null
) returns table (organization_id uuid, id uuid, listed_at timestamptz)
language plpgsql
stable
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_org      uuid := private.current_org_id();
  v_metadata uuid[] := private.visible_email_account_ids('metadata');
  v_subject  uuid[] := private.visible_email_account_ids('subject');
  v_full     uuid[] := private.visible_email_account_ids('full');
  v_q        tsquery;
begin
  if nullif(btrim(p_query), '') is null then
    raise exception 'p_query must hold words to search for' using errcode = '22023';
  end if;
  if p_limit is null or p_limit not between 1 and 500 then
    raise exception 'p_limit must be from 1 to 500' using errcode = '22023';
  end if;
  if (p_before_at is null) <> (p_before_id is null) then
    raise exception 'p_before_at and p_before_id go together' using errcode = '22023';
  end if;
  v_q := websearch_to_tsquery('simple'::regconfig, p_query);
  if numnode(v_q) = 0 then
    raise exception 'p_query has no words to search for' using errcode = '22023';
  end if;

  return query
    with bodies as (
      select b.email_message_id as id
        from public.email_message_bodies b
       where b.organization_id = v_org and b.email_account_id = any (v_full) and b.search @@ v_q
    ),
    subjects as (
      select s.email_message_id as id
        from public.email_message_subjects s
       where s.organization_id = v_org and s.email_account_id = any (v_subject) and not (s.email_account_id = any (v_full))
         and s.search @@ v_q
    ),
    participants as (
      select m.id
        from public.email_messages m
       where m.organization_id = v_org and m.email_account_id = any (v_metadata) and not (m.email_account_id = any (v_subject))
         and m.search @@ v_q
    )
    select m.organization_id, m.id, m.listed_at
      from public.email_messages m
     where m.organization_id = v_org
       and m.id in (select id from bodies union select id from subjects union select id from participants)
       and (p_account is null or m.email_account_id = p_account)
       and (p_thread is null or m.thread_id = p_thread)
       and (p_participant is null or exists (
             select 1 from public.email_message_participants p
              where p.organization_id = v_org and p.email_message_id = m.id and p.address = lower(btrim(p_participant))))
       -- folders are the owner's alone (as email_folders' policy has it)
       and (p_folder is null or (m.email_account_id = any (private.my_email_account_ids()) and exists (
             select 1 from public.email_message_locations l
               join public.email_folders f on f.organization_id = l.organization_id and f.id = l.folder_id
              where l.organization_id = v_org and l.email_message_id = m.id and f.name = p_folder)))
       and (p_before_at is null or (m.listed_at, m.id) < (p_before_at, p_before_id))
     order by m.listed_at desc, m.id desc
     limit p_limit;
end
$$;
comment on function public.search_email_messages(text, uuid, timestamptz, uuid, integer, text, text, text) is
  'Full-text search (web-search syntax, simple configuration) over the mail the caller may see at its sharing level, newest first, keyset-paged by (listed_at, id). 22023 for bad input.';
revoke execute on function public.search_email_messages(text, uuid, timestamptz, uuid, integer, text, text, text) from public;
grant execute on function public.search_email_messages(text, uuid, timestamptz, uuid, integer, text, text, text) to authenticated;
