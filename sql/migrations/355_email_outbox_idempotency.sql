/*
 * 355_email_outbox_idempotency.sql — a send asked for twice is queued once.
 *
 * `POST /v1/mail/messages` carries an `Idempotency-Key` header. The key and the sha256 of the
 * request it came with are stored on the outbox row, so a retried request (a lost reply, a
 * client retry, a restarted server) finds the row it made instead of sending again. The key
 * is scoped to the person who sent it in one organization; the unique index is what makes two
 * concurrent requests with one key end in one row (public.queue_email inserts with
 * `on conflict do nothing` on it).
 */
set local role crmsync_owner;

alter table public.email_outbox add column if not exists idempotency_key text;
alter table public.email_outbox add column if not exists request_sha256 bytea;

comment on column public.email_outbox.idempotency_key is
  'The sender''s Idempotency-Key (1..255 visible ASCII characters); unique per organization and person. Null for mail queued without one.';
comment on column public.email_outbox.request_sha256 is
  'sha256 of the request the key came with: the same key with another request is refused, not replayed.';

do $$
begin
  if not exists (select 1 from pg_catalog.pg_constraint
                  where conname = 'email_outbox_idempotency_key_shape'
                    and conrelid = 'public.email_outbox'::regclass) then
    alter table public.email_outbox add constraint email_outbox_idempotency_key_shape
      check (idempotency_key is null or (idempotency_key ~ '^[!-~]{1,255}$' and request_sha256 is not null));
  end if;
end
$$;

create unique index if not exists email_outbox_idempotency_key_idx
  on public.email_outbox (organization_id, created_by, idempotency_key)
  where idempotency_key is not null;
