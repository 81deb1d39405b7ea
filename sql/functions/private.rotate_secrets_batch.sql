/*
 * private.rotate_secrets_batch.sql — re-encrypt every secret from the old key to the new one, in batches.
 *
 * The admin CLI runs, as the owner/a superuser, in transactions holding crmsync.old_token_key
 * and crmsync.token_key: `select * from private.rotate_secrets_batch(500)` until every count
 * is 0. Rows are picked by the old key's fingerprint, so the job is resumable and rows already
 * rotated are never touched twice; SKIP LOCKED lets it run beside the service.
 */
set local role crmsync_owner;

create or replace function private.rotate_secrets_batch(p_batch_size int)
returns table (table_name text, rotated int)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_new    text := private.token_key();
  v_new_id text := private.token_key_id(v_new);
  v_old    text := nullif(current_setting('crmsync.old_token_key', true), '');
  v_old_id text;
  v_count  int;
begin
  if v_old is null then
    raise exception 'no old key in this transaction: set crmsync.old_token_key to rotate from it' using errcode = 'CSK04';
  end if;
  v_old_id := private.token_key_id(v_old);
  if v_old_id = v_new_id then
    raise exception 'crmsync.old_token_key and crmsync.token_key are the same key (%)', v_new_id using errcode = 'CSK04';
  end if;
  if p_batch_size is null or p_batch_size < 1 then
    raise exception 'batch size must be at least 1' using errcode = '22023';
  end if;

  with batch as (
    select a.organization_id, a.id from public.calendar_accounts a
     where a.token_key_id = v_old_id
     limit p_batch_size for update skip locked
  )
  update public.calendar_accounts a
     set access_token_encrypted = case when a.access_token_encrypted is null then null else
           extensions.pgp_sym_encrypt(extensions.pgp_sym_decrypt(a.access_token_encrypted, v_old), v_new, 'cipher-algo=aes256') end,
         refresh_token_encrypted = case when a.refresh_token_encrypted is null then null else
           extensions.pgp_sym_encrypt(extensions.pgp_sym_decrypt(a.refresh_token_encrypted, v_old), v_new, 'cipher-algo=aes256') end,
         token_key_id = v_new_id
    from batch b
   where a.organization_id = b.organization_id and a.id = b.id;
  get diagnostics v_count = row_count;
  table_name := 'calendar_accounts'; rotated := v_count;
  if v_count > 0 then
    perform private.write_audit(null, 'secret.rotated', 'calendar_accounts', null,
      jsonb_build_object('rotated', v_count, 'from_key_id', v_old_id, 'to_key_id', v_new_id));
  end if;
  return next;

  with batch as (
    select a.organization_id, a.id from public.email_accounts a
     where a.token_key_id = v_old_id
     limit p_batch_size for update skip locked
  )
  update public.email_accounts a
     set password_encrypted = case when a.password_encrypted is null then null else
           extensions.pgp_sym_encrypt(extensions.pgp_sym_decrypt(a.password_encrypted, v_old), v_new, 'cipher-algo=aes256') end,
         access_token_encrypted = case when a.access_token_encrypted is null then null else
           extensions.pgp_sym_encrypt(extensions.pgp_sym_decrypt(a.access_token_encrypted, v_old), v_new, 'cipher-algo=aes256') end,
         refresh_token_encrypted = case when a.refresh_token_encrypted is null then null else
           extensions.pgp_sym_encrypt(extensions.pgp_sym_decrypt(a.refresh_token_encrypted, v_old), v_new, 'cipher-algo=aes256') end,
         token_key_id = v_new_id
    from batch b
   where a.organization_id = b.organization_id and a.id = b.id;
  get diagnostics v_count = row_count;
  table_name := 'email_accounts'; rotated := v_count;
  if v_count > 0 then
    perform private.write_audit(null, 'secret.rotated', 'email_accounts', null,
      jsonb_build_object('rotated', v_count, 'from_key_id', v_old_id, 'to_key_id', v_new_id));
  end if;
  return next;

  with batch as (
    select o.id from public.oauth_secrets o
     where o.key_id = v_old_id
     limit p_batch_size for update skip locked
  )
  update public.oauth_secrets o
     set client_secret_encrypted =
           extensions.pgp_sym_encrypt(extensions.pgp_sym_decrypt(o.client_secret_encrypted, v_old), v_new, 'cipher-algo=aes256'),
         key_id = v_new_id
    from batch b
   where o.id = b.id;
  get diagnostics v_count = row_count;
  table_name := 'oauth_secrets'; rotated := v_count;
  if v_count > 0 then
    perform private.write_audit(null, 'secret.rotated', 'oauth_secrets', null,
      jsonb_build_object('rotated', v_count, 'from_key_id', v_old_id, 'to_key_id', v_new_id));
  end if;
  return next;
end
$$;
comment on function private.rotate_secrets_batch(int) is
  'Re-encrypts up to p_batch_size rows per secret table from crmsync.old_token_key to crmsync.token_key; call until all counts are 0. Owner only; audited per table and batch.';
revoke execute on function private.rotate_secrets_batch(int) from public;
