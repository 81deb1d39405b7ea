/*
 * public.email_account_health.sql — one row per email account for a DBA's console: status,
 * last sync and last success, failures, how much mail and how many folders it holds, the
 * outbox (queued, failed) and the last error. No secrets.
 *
 * security_invoker: the caller's policies decide. An owner/admin sees the organization's
 * accounts but counts only the mail of their own (no admin reach into mail).
 */
set local role crmsync_owner;

create or replace view public.email_account_health
with (security_invoker = true) as
select a.id,
       a.organization_id,
       a.user_id,
       a.provider,
       a.email,
       a.connection_status,
       a.sync_enabled,
       a.last_sync_at,
       a.last_sync_status,
       s.last_success_at,
       a.consecutive_failures,
       a.next_sync_at,
       (a.connection_status = 'needs_reauth') as reauth_needed,
       m.message_count,
       f.folder_count,
       o.outbox_queued,
       o.outbox_failed,
       a.last_error
  from public.email_accounts a
  left join lateral (
         select max(l.completed_at) as last_success_at
           from public.email_sync_log l
          where l.organization_id = a.organization_id
            and l.email_account_id = a.id
            and l.status = 'success'
            and l.completed_at is not null
       ) s on true
  left join lateral (
         select count(*) as message_count
           from public.email_messages em
          where em.organization_id = a.organization_id
            and em.email_account_id = a.id
            and em.expunged_at is null
       ) m on true
  left join lateral (
         select count(*) as folder_count
           from public.email_folders ef
          where ef.organization_id = a.organization_id
            and ef.email_account_id = a.id
       ) f on true
  left join lateral (
         select count(*) filter (where ob.status in ('queued', 'sending')) as outbox_queued,
                count(*) filter (where ob.status = 'failed') as outbox_failed
           from public.email_outbox ob
          where ob.organization_id = a.organization_id
            and ob.email_account_id = a.id
       ) o on true;
comment on view public.email_account_health is
  'Per email account: status, last sync and last success, failures, message and folder counts, outbox queued/failed, last error (no secrets).';
