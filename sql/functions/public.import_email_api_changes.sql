/*
 * public.import_email_api_changes.sql — one page of a Gmail or Graph mail sync of the caller's
 * account, applied in one call: new messages, changes to known ones, the end of a complete
 * listing and the new cursor, all in one transaction (the cursor never runs ahead of the data).
 *
 * Runs as crmsync_worker in the account owner's session (SECURITY INVOKER, as
 * import_email_messages: the policies decide; another account or folder is 42501). The account
 * row (and the folder's) is locked FOR NO KEY UPDATE, so two runs of one account never
 * interleave. Set-based: one statement per kind of write.
 *
 * p_folder: Graph's folder (its row holds the deltaLink); null for Gmail (one cursor per account).
 * p_messages: [{provider_message_id, internet_message_id, thread_id, from_address, to_addresses[],
 *   cc_addresses[], subject, snippet, body_text, body_html, body_truncated, received_at,
 *   size_bytes, in_reply_to, references_ids[], direction, labels[], is_read, attachments[]}] —
 *   upserted by provider_message_id (Gmail id, Graph immutable id); labels and is_read are the
 *   provider's current ones and replace the stored ones; the batch's last element of an id wins.
 *   A row finish_email_send stored for mail crmsync sent (keyed by its Message-ID) is taken
 *   over by the provider's copy of that message, so sent mail is one row.
 * p_changes: [{provider_message_id, labels[] (replace), add_labels[], remove_labels[], is_read,
 *   deleted}] — at most one per message (fold a page's changes first); a change to a message not
 *   stored is ignored (it was never imported: a draft, a folder not synced).
 * p_synced_labels: the labels that mean "in a synced folder" (Gmail: INBOX, SENT; Graph: the
 *   synced folders' names). A message with none of them, or deleted, gets expunged_at (rows are
 *   never deleted: the CRM may link to them); one that has one again gets it cleared.
 * p_complete_ids (nullable): this page ends a complete listing whose ids these are; a stored
 *   message of the listing's scope (Graph: this folder's label; Gmail: the synced labels) not
 *   among them loses those labels, so it is expunged unless another synced label keeps it.
 * p_cursor (nullable): written after the rest (Gmail historyId to email_accounts.sync_cursor;
 *   Graph deltaLink to email_folders.sync_cursor).
 * Returns (inserted, updated, deleted): new messages, changed ones, ones newly expunged.
 * Replaying a page returns (0, 0, 0) and changes nothing. Bad input: 22023 naming the element.
 */
set local role crmsync_owner;

create or replace function public.import_email_api_changes(
  p_account       uuid,
  p_folder        uuid,
  p_messages      jsonb,
  p_changes       jsonb,
  p_synced_labels text[],
  p_complete_ids  text[],
  p_cursor        text
) returns table (inserted int, updated int, deleted int)
language plpgsql
volatile
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_org      uuid := private.current_org_id();
  v_provider text;
  v_folder   public.email_folders;
  v_scope    text[];
  v_messages jsonb := coalesce(p_messages, '[]'::jsonb);
  v_changes  jsonb := coalesce(p_changes, '[]'::jsonb);
  v_bad      text;
  v_new      uuid[] := '{}';
  v_changed  uuid[] := '{}';
  v_gone     uuid[] := '{}';
begin
  select a.provider into v_provider
    from public.email_accounts a
   where a.organization_id = v_org and a.id = p_account and a.user_id = auth.uid()
     for no key update;
  if not found then
    raise exception 'account not found' using errcode = '42501';
  end if;
  if v_provider not in ('gmail', 'outlook') then
    raise exception 'a % account is synced over IMAP, not through an API', v_provider using errcode = '22023';
  end if;
  if p_folder is not null then
    v_folder := private.my_email_folder(p_account, p_folder);
  end if;
  if jsonb_typeof(v_messages) <> 'array' or jsonb_typeof(v_changes) <> 'array' then
    raise exception 'p_messages and p_changes must be JSON arrays' using errcode = '22023';
  end if;
  if coalesce(cardinality(p_synced_labels), 0) = 0 then
    raise exception 'p_synced_labels must name at least one label' using errcode = '22023';
  end if;
  v_scope := case when p_folder is null then p_synced_labels else array[v_folder.name] end;

  -- The first malformed element, named (nothing is written for a bad page).
  select format('p_messages[%s]: %s', e.n - 1, p.problem) into v_bad
    from jsonb_array_elements(v_messages) with ordinality as e (m, n)
   cross join lateral (select private.email_message_problem(e.m) as problem) p
   where p.problem is not null
   order by e.n
   limit 1;
  if v_bad is null then
    select format('p_changes[%s]: %s', e.n - 1, p.problem) into v_bad
      from jsonb_array_elements(v_changes) with ordinality as e (c, n)
     cross join lateral (
            select case
                     when jsonb_typeof(e.c) <> 'object' then 'not an object'
                     when coalesce(jsonb_typeof(e.c -> 'provider_message_id'), 'null') <> 'string'
                       then 'provider_message_id must be a string'
                     when exists (select 1 from unnest(array['labels', 'add_labels', 'remove_labels']) k
                                   where coalesce(jsonb_typeof(e.c -> k), 'null') not in ('array', 'null'))
                       then 'labels, add_labels and remove_labels must be arrays'
                     when coalesce(jsonb_typeof(e.c -> 'is_read'), 'null') not in ('boolean', 'null')
                          or coalesce(jsonb_typeof(e.c -> 'deleted'), 'null') not in ('boolean', 'null')
                       then 'is_read and deleted must be booleans'
                     when (select count(*) from jsonb_array_elements(v_changes) o
                            where o ->> 'provider_message_id' = e.c ->> 'provider_message_id') > 1
                       then 'more than one change for one message'
                   end as problem
          ) p
     where p.problem is not null
     order by e.n
     limit 1;
  end if;
  if v_bad is not null then
    raise exception '%', v_bad using errcode = '22023';
  end if;

  -- 0. Mail crmsync sent is stored when sent, keyed by its Message-ID (finish_email_send): the
  --    provider's copy takes that row over instead of becoming a second one.
  update public.email_messages m
     set provider_message_id = x.provider_message_id
    from (select distinct on (e.m ->> 'internet_message_id') e.m ->> 'provider_message_id' as provider_message_id,
                 e.m ->> 'internet_message_id' as internet_message_id
            from jsonb_array_elements(v_messages) as e (m)
           where nullif(e.m ->> 'internet_message_id', '') is not null) x
   where m.organization_id = v_org and m.email_account_id = p_account and m.sent_at is not null
     and m.provider_message_id = x.internet_message_id and m.provider_message_id <> x.provider_message_id
     and not exists (select 1 from public.email_messages o
                      where o.organization_id = v_org and o.email_account_id = p_account
                        and o.provider_message_id = x.provider_message_id);

  -- 1. Messages, as the provider has them now; only rows that differ are written.
  begin
    with latest as (
      select distinct on (e.m ->> 'provider_message_id') e.m
        from jsonb_array_elements(v_messages) with ordinality as e (m, n)
       order by e.m ->> 'provider_message_id', e.n desc
    ),
    src as (
      select d.m ->> 'provider_message_id' as provider_message_id,
             coalesce(nullif(d.m ->> 'thread_id', ''), m0.thread_id, nullif(d.m ->> 'internet_message_id', ''),
                      d.m ->> 'provider_message_id') as thread_id,
             nullif(d.m ->> 'internet_message_id', '') as internet_message_id,
             d.m ->> 'from_address' as from_address,
             private.email_text_array(d.m -> 'to_addresses') as to_addresses,
             private.email_text_array(d.m -> 'cc_addresses') as cc_addresses,
             coalesce((d.m ->> 'body_truncated')::boolean, false) as body_truncated,
             (d.m ->> 'received_at')::timestamptz as received_at,
             (d.m ->> 'size_bytes')::bigint as size_bytes,
             nullif(d.m ->> 'in_reply_to', '') as in_reply_to,
             private.email_text_array(d.m -> 'references_ids') as references_ids,
             case when m0.sent_at is not null then m0.direction else coalesce(d.m ->> 'direction', 'inbound') end
               as direction,
             array(select distinct l from unnest(private.email_text_array(d.m -> 'labels')) l order by 1) as labels,
             coalesce((d.m ->> 'is_read')::boolean, false) as is_read,
             coalesce(m0.has_attachments, false) or jsonb_array_length(coalesce(d.m -> 'attachments', '[]')) > 0
               as has_attachments,
             m0.expunged_at as stored_expunged_at
        from latest d
        left join public.email_messages m0
          on m0.organization_id = v_org and m0.email_account_id = p_account
         and m0.provider_message_id = d.m ->> 'provider_message_id'
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
             s.has_attachments,
             case when s.labels && p_synced_labels then null else coalesce(s.stored_expunged_at, now()) end
        from src s
      on conflict (organization_id, email_account_id, provider_message_id) do update
         set (thread_id, internet_message_id, from_address, to_addresses, cc_addresses, body_truncated, received_at, size_bytes, in_reply_to, references_ids, direction, labels,
              is_read, has_attachments, expunged_at)
           = (excluded.thread_id, excluded.internet_message_id, excluded.from_address, excluded.to_addresses,
              excluded.cc_addresses, excluded.body_truncated, excluded.received_at, excluded.size_bytes, excluded.in_reply_to,
              excluded.references_ids, excluded.direction, excluded.labels, excluded.is_read,
              excluded.has_attachments, excluded.expunged_at)
       where (m.thread_id, m.internet_message_id, m.from_address, m.to_addresses, m.cc_addresses, m.body_truncated, m.received_at, m.size_bytes, m.in_reply_to, m.references_ids,
              m.direction, m.labels, m.is_read, m.has_attachments, m.expunged_at is null)
             is distinct from
             (excluded.thread_id, excluded.internet_message_id, excluded.from_address, excluded.to_addresses,
              excluded.cc_addresses, excluded.body_truncated, excluded.received_at, excluded.size_bytes, excluded.in_reply_to,
              excluded.references_ids, excluded.direction, excluded.labels, excluded.is_read,
              excluded.has_attachments, excluded.expunged_at is null)
      returning m.id, (m.xmax = 0) as is_new
    )
    select coalesce(array_agg(u.id) filter (where u.is_new), '{}'),
           coalesce(array_agg(u.id) filter (where not u.is_new), '{}')
      into v_new, v_changed
      from up u;
  exception when data_exception then
    raise exception 'p_messages: a value is not valid (%)', sqlerrm using errcode = '22023';
  end;

  -- Subjects and bodies (their own tables: sharing levels), search vectors with them.
  v_changed := v_changed || private.store_email_contents(p_account, v_messages);

  perform private.insert_email_attachments(p_account, (
    select jsonb_agg(jsonb_build_object('provider_message_id', e.m ->> 'provider_message_id',
                                        'attachments', e.m -> 'attachments'))
      from jsonb_array_elements(v_messages) as e (m)));

  -- 2. Changes to stored messages: labels replaced or added/removed, read state, deletion.
  with ch as (
    select c ->> 'provider_message_id' as provider_message_id,
           case when jsonb_typeof(c -> 'labels') = 'array' then private.email_text_array(c -> 'labels') end as labels,
           private.email_text_array(c -> 'add_labels') as add_labels,
           private.email_text_array(c -> 'remove_labels') as remove_labels,
           (c ->> 'is_read')::boolean as is_read,
           coalesce((c ->> 'deleted')::boolean, false) as deleted
      from jsonb_array_elements(v_changes) c
  ),
  target as (
    select m.id, ch.is_read, ch.deleted,
           array(select l
                   from (select unnest(coalesce(ch.labels, m.labels)) union select unnest(ch.add_labels)) as u (l)
                  where l <> all (ch.remove_labels)
                  order by 1) as labels
      from ch
      join public.email_messages m
        on m.organization_id = v_org and m.email_account_id = p_account and m.provider_message_id = ch.provider_message_id
  ),
  up as (
    update public.email_messages m
       set labels      = t.labels,
           is_read     = coalesce(t.is_read, m.is_read),
           expunged_at = case when t.deleted or not (t.labels && p_synced_labels) then coalesce(m.expunged_at, now()) end
      from target t
     where m.organization_id = v_org and m.email_account_id = p_account and m.id = t.id
       and (m.labels, m.is_read, m.expunged_at is null)
           is distinct from (t.labels, coalesce(t.is_read, m.is_read), not (t.deleted or not (t.labels && p_synced_labels)))
    returning m.id
  )
  select v_changed || coalesce(array_agg(u.id), '{}') into v_changed from up u;

  -- 3. The end of a complete listing: what it did not list left the listing's scope.
  if p_complete_ids is not null then
    with up as (
      update public.email_messages m
         set labels      = array(select l from unnest(m.labels) l where l <> all (v_scope) order by 1),
             expunged_at = case when array(select l from unnest(m.labels) l where l <> all (v_scope)) && p_synced_labels
                                then null else coalesce(m.expunged_at, now()) end
       where m.organization_id = v_org and m.email_account_id = p_account
         and m.labels && v_scope
         and not exists (select 1 from unnest(p_complete_ids) x where x = m.provider_message_id)
      returning m.id
    )
    select v_changed || coalesce(array_agg(u.id), '{}') into v_changed from up u;
  end if;

  -- Newly expunged, among what this call wrote.
  select coalesce(array_agg(m.id), '{}') into v_gone
    from public.email_messages m
   where m.organization_id = v_org and m.email_account_id = p_account
     and m.id = any (v_changed) and m.expunged_at is not null;

  -- 4. The cursor, after the data it covers.
  if p_cursor is not null then
    if p_folder is null then
      update public.email_accounts a
         set sync_cursor = p_cursor
       where a.organization_id = v_org and a.id = p_account and a.sync_cursor is distinct from p_cursor;
    else
      update public.email_folders f
         set sync_cursor       = p_cursor,
             last_full_scan_at = case when p_complete_ids is not null then now() else f.last_full_scan_at end
       where f.organization_id = v_org and f.id = p_folder
         and (f.sync_cursor is distinct from p_cursor or p_complete_ids is not null);
    end if;
  end if;

  return query
    select cardinality(v_new),
           (select count(distinct x)::int from unnest(v_changed) x where not (x = any (v_gone || v_new))),
           (select count(distinct x)::int from unnest(v_gone) x);
end
$$;
comment on function public.import_email_api_changes(uuid, uuid, jsonb, jsonb, text[], text[], text) is
  'Applies one page of a Gmail/Graph mail sync of the caller''s account (under RLS, idempotent): messages upserted by provider id, label/read/deletion changes, the end of a complete listing, then the cursor. Returns (inserted, updated, deleted). 42501 for another account/folder, 22023 for bad input.';
revoke execute on function public.import_email_api_changes(uuid, uuid, jsonb, jsonb, text[], text[], text) from public;
grant execute on function public.import_email_api_changes(uuid, uuid, jsonb, jsonb, text[], text[], text) to crmsync_worker;
