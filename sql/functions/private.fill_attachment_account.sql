/*
 * private.fill_attachment_account.sql — attachment metadata of email messages (content is fetched from
 * the provider on demand, never stored).
 *
 * email_account_id is denormalized from the message so policies can filter on it directly;
 * when an INSERT omits it a trigger fills it from the message (as the invoker, so only a
 * visible message counts), and the composite foreign key keeps it consistent.
 */
set local role crmsync_owner;

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
