/*
 * public.email_messages_visible.sql — email messages as the caller may see them: each row at
 * the level its mailbox is shared with them (security_invoker: the policies of the tier tables
 * decide, so a subject or a body the caller may not read is null, never filtered here).
 *
 * access: owner (the caller's own mailbox), full, subject or metadata. The owner's read state
 * and labels are theirs: null for everybody else.
 */
set local role crmsync_owner;

create or replace view public.email_messages_visible
with (security_invoker = true) as
select m.id,
       m.organization_id,
       m.email_account_id,
       m.provider_message_id,
       m.thread_id,
       m.internet_message_id,
       m.in_reply_to,
       m.references_ids,
       m.from_address,
       m.to_addresses,
       m.cc_addresses,
       m.received_at,
       m.sent_at,
       m.listed_at,
       m.direction,
       m.has_attachments,
       m.size_bytes,
       m.body_truncated,
       m.expunged_at,
       case when o.mine then m.is_read end as is_read,
       case when o.mine then m.labels end as labels,
       s.subject,
       b.snippet,
       b.body_text,
       b.body_html,
       case when o.mine then 'owner'
            when b.email_message_id is not null then 'full'
            when s.email_message_id is not null then 'subject'
            else 'metadata' end as access,
       m.created_at,
       m.updated_at
  from public.email_messages m
 cross join lateral (select m.email_account_id = any ((select private.my_email_account_ids())::uuid[]) as mine) o
  left join public.email_message_subjects s on s.organization_id = m.organization_id and s.email_message_id = m.id
  left join public.email_message_bodies b on b.organization_id = m.organization_id and b.email_message_id = m.id;
comment on view public.email_messages_visible is
  'Email messages at the level the caller may see them (owner, full, subject, metadata); subject/bodies null where hidden.';
