/*
 * private.store_email_contents.sql — writes the subject row and the body row of each message
 * of an import batch (the tiers of public.email_message_subjects / email_message_bodies), with
 * their search vectors; every stored message has one row in each.
 *
 * p_messages: the batch as given to the imports ([{provider_message_id, subject, snippet,
 * body_text, body_html}, …]; a message's last element wins). A value that is missing keeps the
 * stored one. Call it after the messages themselves are written. Security invoker: the
 * policies of the tier tables decide (the worker writes its own account's rows). Returns the ids
 * of messages whose content changed.
 */
set local role crmsync_owner;

create or replace function private.store_email_contents(p_account uuid, p_messages jsonb)
returns uuid[]
language sql
volatile
set search_path = ''
as $$
  with latest as (
    select distinct on (e.m ->> 'provider_message_id') e.m
      from jsonb_array_elements(p_messages) with ordinality as e (m, n)
     order by e.m ->> 'provider_message_id', e.n desc
  ),
  src as (
    select m.organization_id, m.id, m.search,
           coalesce(d.m ->> 'subject', s.subject) as subject,
           coalesce(d.m ->> 'snippet', b.snippet) as snippet,
           coalesce(d.m ->> 'body_text', b.body_text) as body_text,
           coalesce(d.m ->> 'body_html', b.body_html) as body_html
      from latest d
      join public.email_messages m
        on m.organization_id = private.current_org_id() and m.email_account_id = p_account
       and m.provider_message_id = d.m ->> 'provider_message_id'
      left join public.email_message_subjects s on s.organization_id = m.organization_id and s.email_message_id = m.id
      left join public.email_message_bodies b on b.organization_id = m.organization_id and b.email_message_id = m.id
  ),
  vectors as (
    select src.*, src.search || to_tsvector('simple'::regconfig, coalesce(src.subject, '')) as subject_search
      from src
  ),
  subjects as (
    insert into public.email_message_subjects as s (organization_id, email_account_id, email_message_id, subject, search)
    select v.organization_id, p_account, v.id, v.subject, v.subject_search
      from vectors v
    on conflict (organization_id, email_message_id) do update
       set subject = excluded.subject, search = excluded.search
     where (s.subject, s.search) is distinct from (excluded.subject, excluded.search)
    returning s.email_message_id
  ),
  bodies as (
    insert into public.email_message_bodies as b (organization_id, email_account_id, email_message_id, snippet,
                                                  body_text, body_html, search)
    select v.organization_id, p_account, v.id, v.snippet, v.body_text, v.body_html,
           v.subject_search || to_tsvector('simple'::regconfig,
             left(coalesce(v.body_text, regexp_replace(coalesce(v.body_html, ''), '<[^>]*>', ' ', 'g')), 100000))
      from vectors v
    on conflict (organization_id, email_message_id) do update
       set snippet = excluded.snippet, body_text = excluded.body_text, body_html = excluded.body_html,
           search = excluded.search
     where (b.snippet, b.body_text, b.body_html, b.search)
           is distinct from (excluded.snippet, excluded.body_text, excluded.body_html, excluded.search)
    returning b.email_message_id
  )
  select coalesce(array_agg(distinct x.id), '{}')
    from (select email_message_id as id from subjects union all select email_message_id from bodies) x
$$;
comment on function private.store_email_contents(uuid, jsonb) is
  'Writes the subject and body rows (with search vectors) of a batch''s messages of the caller''s account; missing values keep the stored ones. Returns the ids whose content changed.';
revoke execute on function private.store_email_contents(uuid, jsonb) from public;
grant execute on function private.store_email_contents(uuid, jsonb) to crmsync_worker;
