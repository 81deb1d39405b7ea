/*
 * public.import_email_messages.sql — import one batch of messages fetched from one folder of
 * the caller's email account, with the folder's new cursor, in one call.
 *
 * Runs as crmsync_worker in the account owner's session (SECURITY INVOKER, as
 * import_calendar_events: the policies of email_messages, email_message_locations,
 * email_attachments and email_folders decide what it may touch; the explicit checks refuse
 * another account or folder with 42501). Set-based: the batch is parsed once into
 * private.email_import_item[], then one statement per kind of write, never a loop over
 * messages. The account and folder rows are locked (FOR NO KEY UPDATE), so two imports of one
 * account never interleave.
 *
 * p_messages: [{provider_message_id, internet_message_id, thread_id, from_address,
 * to_addresses[], cc_addresses[], subject, snippet, body_text, body_html, body_truncated,
 * received_at, size_bytes, in_reply_to, references_ids[], direction, labels[], uid, flags[],
 * modseq, attachments: [{filename, content_type, size_bytes, content_id,
 * provider_attachment_id, inline}]}]
 *   - messages are upserted by (organization, account, provider_message_id): for IMAP that is
 *     the Message-ID (or 'sha256:<hex>'), so one message in several folders is one row; a
 *     re-found message gets expunged_at back to null. Missing values keep the stored ones.
 *   - thread_id: the given one; else the stored one; else the thread of the message it replies
 *     to (In-Reply-To, then References newest first, found in this account or earlier in this
 *     batch); else its own Message-ID.
 *   - its location (this folder, uid) is upserted with the flags (sorted) and modseq; a
 *     location another message held is taken over (that message, left in no folder, gets
 *     expunged_at).
 *   - is_read = any location of the message carries \Seen (case-insensitive).
 *   - attachments are written for messages that have none yet (a replay adds none).
 * p_cursor (nullable): {uidvalidity, last_uid, highestmodseq, full_scan} written to the folder
 *   in the same transaction; last_uid and highestmodseq never move backwards; a uidvalidity
 *   other than the stored one is refused (55000: reset_email_folder first).
 * Returns (inserted, updated): new messages, and existing messages whose row, location or
 * is_read changed. Replaying a batch returns (0, 0) and changes nothing.
 * Bad input: 22023 naming the first bad element; nothing is written.
 */
set local role crmsync_owner;

create or replace function public.import_email_messages(p_account uuid, p_folder uuid, p_messages jsonb, p_cursor jsonb)
returns table (inserted int, updated int)
language plpgsql
volatile
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_org        uuid := private.current_org_id();
  v_folder     public.email_folders;
  v_has_cursor boolean := false;
  v_uidv       bigint;
  v_last_uid   bigint;
  v_modseq     bigint;
  v_full_scan  boolean;
  v_bad        text;
  v_items      private.email_import_item[];
  v_new        uuid[] := '{}';
  v_changed    uuid[] := '{}';
  v_located    uuid[] := '{}';
  v_displaced  uuid[] := '{}';
  v_read       uuid[] := '{}';
  v_gone       uuid[] := '{}';
begin
  v_folder := private.my_email_folder(p_account, p_folder);
  if p_messages is null or jsonb_typeof(p_messages) <> 'array' then
    raise exception 'p_messages must be a JSON array of messages' using errcode = '22023';
  end if;
  select c.uidvalidity, c.last_uid, c.highestmodseq, c.full_scan, true
    into v_uidv, v_last_uid, v_modseq, v_full_scan, v_has_cursor
    from private.email_folder_cursor(p_cursor, v_folder.uidvalidity) c;

  -- The first malformed element, named (nothing is written for a bad batch).
  select format('p_messages[%s]: %s', e.n - 1, p.problem) into v_bad
    from jsonb_array_elements(p_messages) with ordinality as e (m, n)
   cross join lateral (
          select coalesce(
                   private.email_message_problem(e.m),
                   -- (nested CASEs: the casts run only on JSON numbers)
                   case
                     when case when jsonb_typeof(e.m -> 'uid') = 'number'
                               then (e.m ->> 'uid') !~ '^[0-9]+$'
                                    or (e.m ->> 'uid')::numeric not between 1 and 9223372036854775807
                               else true end
                       then 'uid must be a positive whole number'
                     when coalesce(jsonb_typeof(e.m -> 'modseq'), 'null') not in ('number', 'null')
                          or (jsonb_typeof(e.m -> 'modseq') = 'number' and (e.m ->> 'modseq') !~ '^[0-9]+$')
                       then 'modseq must be a whole number or null'
                   end) as problem
        ) p
   where p.problem is not null
   order by e.n
   limit 1;
  if v_bad is not null then
    raise exception '%', v_bad using errcode = '22023';
  end if;

  begin
    select coalesce(array_agg(row(
             e.n,
             e.m ->> 'provider_message_id',
             nullif(e.m ->> 'internet_message_id', ''),
             nullif(e.m ->> 'thread_id', ''),
             null,
             e.m ->> 'from_address',
             private.email_text_array(e.m -> 'to_addresses'),
             private.email_text_array(e.m -> 'cc_addresses'),
             e.m ->> 'subject',
             e.m ->> 'snippet',
             e.m ->> 'body_text',
             e.m ->> 'body_html',
             coalesce((e.m ->> 'body_truncated')::boolean, false),
             (e.m ->> 'received_at')::timestamptz,
             (e.m ->> 'size_bytes')::bigint,
             nullif(e.m ->> 'in_reply_to', ''),
             private.email_text_array(e.m -> 'references_ids'),
             coalesce(e.m ->> 'direction', 'inbound'),
             private.email_text_array(e.m -> 'labels'),
             (e.m ->> 'uid')::bigint,
             private.email_flags(e.m -> 'flags'),
             (e.m ->> 'modseq')::bigint,
             case when jsonb_typeof(e.m -> 'attachments') = 'array' then e.m -> 'attachments' else '[]'::jsonb end,
             exists (select 1 from unnest(private.email_flags(e.m -> 'flags')) f where lower(f) = '\seen')
           )::private.email_import_item order by e.n), '{}')
      into v_items
      from jsonb_array_elements(p_messages) with ordinality as e (m, n);
  exception when data_exception then
    raise exception 'p_messages: a value is not valid (%)', sqlerrm using errcode = '22023';
  end;

  select format('p_messages: uid %s appears more than once', i.uid) into v_bad
    from unnest(v_items) i group by i.uid having count(*) > 1 order by i.uid limit 1;
  if v_bad is not null then
    raise exception '%', v_bad using errcode = '22023';
  end if;

  -- 1. Messages: one row per provider_message_id (the batch's last element wins), thread
  --    resolved, only rows that differ are written.
  with recursive
  items as (
    select i.*, coalesce(i.internet_message_id, i.provider_message_id) as own_id,
           array_remove(array[i.in_reply_to], null)
             || array(select r.id from unnest(i.references_ids) with ordinality as r (id, k) order by r.k desc) as parents
      from unnest(v_items) i
  ),
  stored as (
    select i.ord, m.thread_id
      from items i
      join public.email_messages m
        on m.organization_id = v_org and m.email_account_id = p_account and m.provider_message_id = i.provider_message_id
  ),
  db_parent as (
    select i.ord, p.thread_id
      from items i
     cross join lateral (
            select m.thread_id
              from unnest(i.parents) with ordinality as pp (id, k)
              join public.email_messages m
                on m.organization_id = v_org and m.email_account_id = p_account and m.internet_message_id = pp.id
             where m.thread_id is not null
             order by pp.k
             limit 1
          ) p
  ),
  batch_parent as (
    select i.ord, p.ord as parent_ord
      from items i
     cross join lateral (
            select o.ord
              from unnest(i.parents) with ordinality as pp (id, k)
              join items o on o.internet_message_id = pp.id and o.ord <> i.ord
             order by pp.k, o.ord
             limit 1
          ) p
  ),
  thread (ord, thread_id) as (
    select i.ord, coalesce(i.thread_given, s.thread_id, d.thread_id, i.own_id)
      from items i
      left join stored s on s.ord = i.ord
      left join db_parent d on d.ord = i.ord
      left join batch_parent b on b.ord = i.ord
     where i.thread_given is not null or s.thread_id is not null or d.thread_id is not null or b.parent_ord is null
    union
    select i.ord, t.thread_id
      from items i
      join batch_parent b on b.ord = i.ord
      join thread t on t.ord = b.parent_ord
      left join stored s on s.ord = i.ord
      left join db_parent d on d.ord = i.ord
     where i.thread_given is null and s.thread_id is null and d.thread_id is null
  ),
  seen as (
    select i.provider_message_id, bool_or(i.seen) as seen from items i group by i.provider_message_id
  ),
  latest as (
    select distinct on (i.provider_message_id) i.*
      from items i
     order by i.provider_message_id, i.ord desc
  ),
  src as (
    select d.provider_message_id,
           coalesce((select t.thread_id from thread t where t.ord = d.ord limit 1), d.own_id) as thread_id,
           coalesce(d.internet_message_id, m0.internet_message_id) as internet_message_id,
           coalesce(d.from_address, m0.from_address) as from_address,
           case when m0.id is null or cardinality(d.to_addresses) > 0 then d.to_addresses else m0.to_addresses end as to_addresses,
           case when m0.id is null or cardinality(d.cc_addresses) > 0 then d.cc_addresses else m0.cc_addresses end as cc_addresses,
           case when m0.id is null or d.body_text is not null or d.body_html is not null then d.body_truncated
                else m0.body_truncated end as body_truncated,
           coalesce(d.received_at, m0.received_at) as received_at,
           coalesce(d.size_bytes, m0.size_bytes) as size_bytes,
           coalesce(d.in_reply_to, m0.in_reply_to) as in_reply_to,
           case when m0.id is null or cardinality(d.references_ids) > 0 then d.references_ids
                else m0.references_ids end as references_ids,
           case when m0.sent_at is not null then m0.direction else d.direction end as direction,
           array(select distinct l from unnest(coalesce(m0.labels, '{}') || d.labels) l order by 1) as labels,
           coalesce(m0.is_read, s.seen) as is_read,
           coalesce(m0.has_attachments, false) or jsonb_array_length(d.attachments) > 0 as has_attachments
      from latest d
      join seen s on s.provider_message_id = d.provider_message_id
      left join public.email_messages m0
        on m0.organization_id = v_org and m0.email_account_id = p_account and m0.provider_message_id = d.provider_message_id
  ),
  up as (
    insert into public.email_messages as m (organization_id, email_account_id, provider_message_id, thread_id,
                                            internet_message_id, from_address, to_addresses, cc_addresses,
                                            body_truncated, received_at, size_bytes,
                                            in_reply_to, references_ids, direction, labels, is_read, has_attachments,
                                            expunged_at)
    select v_org, p_account, s.provider_message_id, s.thread_id, s.internet_message_id, s.from_address,
           s.to_addresses, s.cc_addresses, s.body_truncated,
           s.received_at, s.size_bytes, s.in_reply_to, s.references_ids, s.direction, s.labels, s.is_read,
           s.has_attachments, null
      from src s
    on conflict (organization_id, email_account_id, provider_message_id) do update
       set (thread_id, internet_message_id, from_address, to_addresses, cc_addresses, body_truncated, received_at, size_bytes, in_reply_to, references_ids, direction, labels,
            has_attachments, expunged_at)
         = (excluded.thread_id, excluded.internet_message_id, excluded.from_address, excluded.to_addresses,
            excluded.cc_addresses, excluded.body_truncated, excluded.received_at, excluded.size_bytes,
            excluded.in_reply_to, excluded.references_ids, excluded.direction, excluded.labels,
            excluded.has_attachments, null)
     where (m.thread_id, m.internet_message_id, m.from_address, m.to_addresses, m.cc_addresses, m.body_truncated, m.received_at, m.size_bytes, m.in_reply_to, m.references_ids,
            m.direction, m.labels, m.has_attachments, m.expunged_at)
           is distinct from
           (excluded.thread_id, excluded.internet_message_id, excluded.from_address, excluded.to_addresses,
            excluded.cc_addresses, excluded.body_truncated, excluded.received_at, excluded.size_bytes,
            excluded.in_reply_to, excluded.references_ids, excluded.direction, excluded.labels,
            excluded.has_attachments, null::timestamptz)
    returning m.id, (m.xmax = 0) as is_new
  )
  select coalesce(array_agg(u.id) filter (where u.is_new), '{}'), coalesce(array_agg(u.id) filter (where not u.is_new), '{}')
    into v_new, v_changed
    from up u;

  -- Subjects and bodies (their own tables: sharing levels), search vectors with them.
  v_changed := v_changed || private.store_email_contents(p_account, p_messages);

  -- 2. Locations: (folder, uid) → message. A location another message held changes hands.
  select coalesce(array_agg(distinct l.email_message_id), '{}') into v_displaced
    from unnest(v_items) i
    join public.email_message_locations l on l.organization_id = v_org and l.folder_id = p_folder and l.uid = i.uid
    join public.email_messages m
      on m.organization_id = v_org and m.email_account_id = p_account and m.provider_message_id = i.provider_message_id
   where l.email_message_id <> m.id;

  with up as (
    insert into public.email_message_locations as l (organization_id, email_account_id, email_message_id, folder_id,
                                                     uid, flags, modseq)
    select v_org, p_account, m.id, p_folder, i.uid, i.flags, i.modseq
      from unnest(v_items) i
      join public.email_messages m
        on m.organization_id = v_org and m.email_account_id = p_account and m.provider_message_id = i.provider_message_id
    on conflict (organization_id, folder_id, uid) do update
       set email_message_id = excluded.email_message_id,
           flags            = excluded.flags,
           modseq           = coalesce(excluded.modseq, l.modseq)
     where (l.email_message_id, l.flags, l.modseq)
           is distinct from (excluded.email_message_id, excluded.flags, coalesce(excluded.modseq, l.modseq))
    returning l.email_message_id
  )
  select coalesce(array_agg(distinct u.email_message_id), '{}') into v_located from up u;

  -- 3. Attachments of messages that have none yet (each message's last element in the batch).
  perform private.insert_email_attachments(p_account, (
    select jsonb_agg(jsonb_build_object('provider_message_id', d.provider_message_id, 'attachments', d.attachments))
      from (select distinct on (i.provider_message_id) i.provider_message_id, i.attachments
              from unnest(v_items) i
             order by i.provider_message_id, i.ord desc) d));

  -- 4. is_read = any location carries \Seen, for every message whose locations changed.
  if cardinality(v_located) > 0 or cardinality(v_displaced) > 0 then
    with up as (
      update public.email_messages m
         set is_read = x.seen
        from (select l.email_message_id as id,
                     bool_or(exists (select 1 from unnest(l.flags) f where lower(f) = '\seen')) as seen
                from public.email_message_locations l
               where l.organization_id = v_org and l.email_message_id = any (v_located || v_displaced)
               group by l.email_message_id) x
       where m.organization_id = v_org and m.email_account_id = p_account and m.id = x.id
         and m.is_read is distinct from x.seen
      returning m.id
    )
    select coalesce(array_agg(u.id), '{}') into v_read from up u;
  end if;

  -- 5. A message that lost its only location to another one is in no folder any more.
  if cardinality(v_displaced) > 0 then
    with up as (
      update public.email_messages m
         set expunged_at = now()
       where m.organization_id = v_org and m.email_account_id = p_account and m.id = any (v_displaced)
         and m.expunged_at is null
         and not exists (select 1 from public.email_message_locations l
                          where l.organization_id = v_org and l.email_message_id = m.id)
      returning m.id
    )
    select coalesce(array_agg(u.id), '{}') into v_gone from up u;
  end if;

  -- 6. The folder's cursor, with the batch it covers (never backwards).
  if v_has_cursor then
    update public.email_folders f
       set uidvalidity       = coalesce(v_uidv, f.uidvalidity),
           last_uid          = greatest(f.last_uid, coalesce(v_last_uid, 0)),
           highestmodseq     = greatest(f.highestmodseq, v_modseq),
           last_full_scan_at = case when v_full_scan then now() else f.last_full_scan_at end
     where f.organization_id = v_org and f.id = p_folder
       and (v_full_scan
            or (f.uidvalidity, f.last_uid, f.highestmodseq)
               is distinct from (coalesce(v_uidv, f.uidvalidity), greatest(f.last_uid, coalesce(v_last_uid, 0)),
                                 greatest(f.highestmodseq, v_modseq)));
  end if;

  return query
    select cardinality(v_new),
           (select count(distinct x)::int
              from unnest(v_changed || v_located || v_read || v_gone) x
             where not (x = any (v_new)));
end
$$;
comment on function public.import_email_messages(uuid, uuid, jsonb, jsonb) is
  'Imports one batch of messages of one folder of the caller''s email account and writes the folder cursor (set-based, idempotent, under RLS): messages upserted by provider_message_id, locations, is_read from \Seen, attachments of new messages, threads. Returns (inserted, updated). 42501 for another account/folder, 22023 for bad input, 55000 for a changed UIDVALIDITY.';
revoke execute on function public.import_email_messages(uuid, uuid, jsonb, jsonb) from public;
grant execute on function public.import_email_messages(uuid, uuid, jsonb, jsonb) to crmsync_worker;
