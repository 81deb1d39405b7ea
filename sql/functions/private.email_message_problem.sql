/*
 * private.email_message_problem.sql — what is wrong with one element of a mail import batch,
 * or null: the checks every import shares (IMAP's import_email_messages adds uid and modseq,
 * the Gmail/Graph import_email_api_changes nothing). Nested CASEs: a cast runs only on a JSON
 * value of the right type, so a bad value is named, never a cast error.
 */
set local role crmsync_owner;

create or replace function private.email_message_problem(p_message jsonb)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
           when jsonb_typeof(p_message) <> 'object' then 'not an object'
           when coalesce(jsonb_typeof(p_message -> 'provider_message_id'), 'null') <> 'string'
                or length(p_message ->> 'provider_message_id') = 0
             then 'provider_message_id must be a non-empty string'
           when coalesce(jsonb_typeof(p_message -> 'size_bytes'), 'null') not in ('number', 'null')
                or (jsonb_typeof(p_message -> 'size_bytes') = 'number' and (p_message ->> 'size_bytes') !~ '^[0-9]+$')
             then 'size_bytes must be a whole number or null'
           when exists (select 1 from unnest(array['to_addresses', 'cc_addresses', 'references_ids', 'labels', 'flags',
                                                   'attachments']) k
                         where coalesce(jsonb_typeof(p_message -> k), 'null') not in ('array', 'null'))
             then 'to_addresses, cc_addresses, references_ids, labels, flags and attachments must be arrays'
           when coalesce(p_message ->> 'direction', 'inbound') not in ('inbound', 'outbound')
             then 'direction must be inbound or outbound'
           when coalesce(jsonb_typeof(p_message -> 'body_truncated'), 'null') not in ('boolean', 'null')
             then 'body_truncated must be a boolean'
           when coalesce(jsonb_typeof(p_message -> 'is_read'), 'null') not in ('boolean', 'null')
             then 'is_read must be a boolean'
           when jsonb_typeof(p_message -> 'attachments') = 'array'
                and exists (select 1 from jsonb_array_elements(p_message -> 'attachments') a
                             where jsonb_typeof(a) <> 'object'
                                or coalesce(jsonb_typeof(a -> 'size_bytes'), 'null') not in ('number', 'null')
                                or (jsonb_typeof(a -> 'size_bytes') = 'number' and (a ->> 'size_bytes') !~ '^[0-9]+$')
                                or coalesce(jsonb_typeof(a -> 'inline'), 'null') not in ('boolean', 'null'))
             then 'attachments must be objects with a whole size_bytes and a boolean inline'
         end
$$;
comment on function private.email_message_problem(jsonb) is
  'What is wrong with one element of a mail import batch (the checks all imports share), or null.';
revoke execute on function private.email_message_problem(jsonb) from public;
grant execute on function private.email_message_problem(jsonb) to crmsync_worker;
