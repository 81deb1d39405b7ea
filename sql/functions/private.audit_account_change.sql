/*
 * private.audit_account_change.sql — the audit trigger shared by calendar_accounts and email_accounts.
 *
 * insert → '<kind>_account.connected'; connection_status change → '<kind>_account.status_changed'
 * with {from, to} (plus '<kind>_account.disconnected' when it becomes 'disconnected');
 * delete → '<kind>_account.deleted'. <kind> is the trigger argument ('calendar' | 'email').
 * Actor = auth.uid(); organization = the row's. Security definer so it may call
 * private.write_audit(), which no client role may execute. Never logs ciphertext.
 */
set local role crmsync_owner;

create or replace function private.audit_account_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_kind  text := tg_argv[0];
  v_table text := tg_table_name;
begin
  if tg_op = 'INSERT' then
    perform private.write_audit(new.organization_id, v_kind || '_account.connected', v_table, new.id,
      jsonb_build_object('user_id', new.user_id, 'provider', new.provider, 'email', new.email,
                         'connection_status', new.connection_status));
    return new;
  elsif tg_op = 'UPDATE' then
    if new.connection_status is distinct from old.connection_status then
      perform private.write_audit(new.organization_id, v_kind || '_account.status_changed', v_table, new.id,
        jsonb_build_object('from', old.connection_status, 'to', new.connection_status));
      if new.connection_status = 'disconnected' then
        perform private.write_audit(new.organization_id, v_kind || '_account.disconnected', v_table, new.id,
          jsonb_build_object('from', old.connection_status));
      end if;
    end if;
    return new;
  else
    perform private.write_audit(old.organization_id, v_kind || '_account.deleted', v_table, old.id,
      jsonb_build_object('user_id', old.user_id, 'provider', old.provider, 'email', old.email));
    return old;
  end if;
end
$$;
comment on function private.audit_account_change() is
  'AFTER trigger on calendar_accounts/email_accounts (argument calendar|email): audit rows for connect, status change, disconnect, delete.';
revoke execute on function private.audit_account_change() from public;
