/*
 * 365_calendar_sync_organization_scale.sql — a no-change sync costs the same in a big
 * organization as in a small one, and a claim reads only due accounts.
 *
 * calendar_export_batch used to look at every appointment its organization wrote since the
 * account's last scan, so a round of syncs over an organization grew with its square. It now
 * reads the appointments of the account's user only: (organization_id, owner_id, change_xid)
 * is that range. It replaces (organization_id, change_xid), which nothing reads any more, and
 * (organization_id, owner_id), a prefix of it: no more index writes per appointment than before.
 *
 * An appointment reassigned away from a user is no longer that user's, yet their calendar
 * must lose its event: the appointments trigger marks the old owner's mappings 'pending'
 * (sql/functions/private.calendar_mark_reassigned.sql), and the export reads an account's
 * mappings not in sync anyway. The mappings of appointments reassigned before this file and
 * not exported since get the same mark here.
 *
 * The claim's due accounts: requested ones, then scheduled ones in next_sync_at order (nulls
 * first). Two partial indexes hold exactly those, in that order, for calendar and for email
 * accounts (public.claim_calendar_accounts.sql, public.claim_email_accounts.sql), the
 * scheduled one with the due range as an index range (coalesce(next_sync_at, '-infinity')).
 * The requested one extends the sync_requested_at index of 200/320 (same rows), which goes.
 */
set local role crmsync_owner;

create index if not exists appointments_org_owner_change_xid_idx
  on public.appointments (organization_id, owner_id, change_xid);
drop index if exists public.appointments_org_change_xid_idx;
drop index if exists public.appointments_org_owner_idx;

update public.calendar_event_mappings m
   set sync_status = 'pending'
  from public.appointments a, public.calendar_accounts c
 where a.organization_id = m.organization_id and a.id = m.appointment_id
   and c.organization_id = m.organization_id and c.id = m.calendar_account_id
   and m.sync_status = 'synced' and not m.remote_deleted
   and a.owner_id <> c.user_id;

-- calendar accounts: requested, in the order they are claimed
create index if not exists calendar_accounts_claim_requested_idx
  on public.calendar_accounts (sync_requested_at, (coalesce(next_sync_at, '-infinity'::timestamptz)), id)
  where sync_requested_at is not null and sync_enabled and connection_status in ('connected', 'error');
-- scheduled (not requested): next_sync_at with null first, the order and the due range at once
create index if not exists calendar_accounts_claim_scheduled_idx
  on public.calendar_accounts ((coalesce(next_sync_at, '-infinity'::timestamptz)), id)
  where sync_requested_at is null and sync_enabled and connection_status in ('connected', 'error');
-- the requested index above extends this one (same rows, same leading column)
drop index if exists public.calendar_accounts_sync_requested_idx;

create index if not exists email_accounts_claim_requested_idx
  on public.email_accounts (sync_requested_at, (coalesce(next_sync_at, '-infinity'::timestamptz)), id)
  where sync_requested_at is not null and sync_enabled and connection_status in ('connected', 'error');
create index if not exists email_accounts_claim_scheduled_idx
  on public.email_accounts ((coalesce(next_sync_at, '-infinity'::timestamptz)), id)
  where sync_requested_at is null and sync_enabled and connection_status in ('connected', 'error');
drop index if exists public.email_accounts_sync_requested_idx;
