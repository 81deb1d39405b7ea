/*
 * private.insert_email_attachments.sql — attachment metadata of imported messages, written the
 * first time a message is imported: a message that already has attachments gets none (a
 * replayed batch adds nothing). Shared by the IMAP and the Gmail/Graph imports.
 *
 * p_items: [{provider_message_id, attachments: [{filename, content_type, size_bytes,
 * content_id, provider_attachment_id, inline}]}], already validated by the caller.
 * SECURITY INVOKER: the caller's policies on email_messages and email_attachments apply.
 */
set local role crmsync_owner;

create or replace function private.insert_email_attachments(p_account uuid, p_items jsonb)
returns void
language sql
volatile
set search_path = ''
as $$
  insert into public.email_attachments (organization_id, email_account_id, email_message_id, filename, content_type,
                                        size_bytes, provider_attachment_id, content_id, is_inline)
  select m.organization_id, p_account, m.id, a.value ->> 'filename', a.value ->> 'content_type',
         (a.value ->> 'size_bytes')::bigint, a.value ->> 'provider_attachment_id', a.value ->> 'content_id',
         coalesce((a.value ->> 'inline')::boolean, false)
    from jsonb_array_elements(coalesce(p_items, '[]'::jsonb)) as d (item)
    join public.email_messages m
      on m.organization_id = private.current_org_id() and m.email_account_id = p_account
     and m.provider_message_id = d.item ->> 'provider_message_id'
   cross join lateral jsonb_array_elements(case when jsonb_typeof(d.item -> 'attachments') = 'array'
                                                then d.item -> 'attachments' else '[]'::jsonb end)
         with ordinality as a (value, n)
   where not exists (select 1 from public.email_attachments x
                      where x.organization_id = m.organization_id and x.email_account_id = p_account
                        and x.email_message_id = m.id)
   order by m.id, a.n
$$;
comment on function private.insert_email_attachments(uuid, jsonb) is
  'Attachment metadata of imported messages that have none yet ([{provider_message_id, attachments}]); under the caller''s RLS.';
revoke execute on function private.insert_email_attachments(uuid, jsonb) from public;
grant execute on function private.insert_email_attachments(uuid, jsonb) to crmsync_worker;
