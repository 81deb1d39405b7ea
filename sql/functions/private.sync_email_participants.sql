/*
 * private.sync_email_participants.sql — keeps public.email_message_participants in step with
 * the addresses of public.email_messages (statement trigger with transition tables: one
 * set-based write per import statement, not one per message).
 *
 * Security definer: nobody holds a write grant on the participants table; the rows written are
 * exactly those of the messages the triggering statement wrote.
 */
set local role crmsync_owner;

create or replace function private.sync_email_participants()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' then
    -- only messages whose addresses or list date changed are rewritten (two statements: a
    -- delete and an insert of the same keys in one statement would see the old rows)
    delete from public.email_message_participants p
     using new_rows n
      join old_rows o on o.organization_id = n.organization_id and o.id = n.id
     where p.organization_id = n.organization_id and p.email_message_id = n.id
       and (o.from_address, o.to_addresses, o.cc_addresses, o.listed_at)
           is distinct from (n.from_address, n.to_addresses, n.cc_addresses, n.listed_at);
    insert into public.email_message_participants (organization_id, address, email_message_id, email_account_id,
                                                   role, listed_at)
    select n.organization_id, p.address, n.id, n.email_account_id, p.role, n.listed_at
      from new_rows n
      join old_rows o on o.organization_id = n.organization_id and o.id = n.id
     cross join lateral private.email_participant_addresses(n.from_address, n.to_addresses, n.cc_addresses) p
     where (o.from_address, o.to_addresses, o.cc_addresses, o.listed_at)
           is distinct from (n.from_address, n.to_addresses, n.cc_addresses, n.listed_at)
    on conflict do nothing;
  else
    insert into public.email_message_participants (organization_id, address, email_message_id, email_account_id,
                                                   role, listed_at)
    select n.organization_id, p.address, n.id, n.email_account_id, p.role, n.listed_at
      from new_rows n
     cross join lateral private.email_participant_addresses(n.from_address, n.to_addresses, n.cc_addresses) p
    on conflict do nothing;
  end if;
  return null;
end
$$;
comment on function private.sync_email_participants() is
  'Statement trigger of email_messages: writes the participants of inserted messages and rewrites those whose addresses changed.';
revoke execute on function private.sync_email_participants() from public;
