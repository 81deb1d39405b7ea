/*
 * 200_calendar_sync_state.sql — the state the two-way calendar sync engine keeps.
 *
 * API CHANGES: none to the agreed signatures. Additions the engine may use (all optional):
 *   - import_calendar_events: an event may carry "client_id" (uuid text, the appointment id
 *     crmsync wrote into the event: Google extendedProperties / Graph transactionId). An event
 *     with an unknown id whose client_id names an appointment of this user that has no live
 *     mapping in this account is LINKED to it (outcome 'linked') instead of creating a
 *     duplicate: this closes the crash window between a provider create and
 *     record_calendar_exports.
 *   - import outcomes: created | updated | deleted | unchanged | ignored | kept_crm | conflict |
 *     linked | invalid ('invalid': missing id, unknown status, missing/unparseable start or
 *     end, or end before start; nothing is written for it, the rest of the page goes on).
 *   - calendar_export_batch may return action 'create' for an appointment whose mapping is
 *     remote_deleted (the event was deleted remotely but the CRM side won): the old event id
 *     is gone, so the engine must create a NEW event (Google: an id derived from the
 *     appointment id is refused with 409 once used; use a fresh id, e.g. derived from
 *     appointment id + crm_version, or treat 409 as "exists" and update it instead).
 *     It also returns 'delete' for a mapped appointment that was reassigned to another user.
 *   - record_calendar_exports action 'gone' on an update (404/410) is treated as a remote
 *     deletion racing a CRM change: decided by the account's conflict strategy, like import.
 *
 * Adds to calendar_accounts the scheduling lease (lease_owner, lease_expires_at), the
 * person's request to sync (sync_requested_at), the last error of a run (last_error) and the
 * export scan watermark (export_watermark, export_full_scan_at: calendar_export_batch looks
 * only at appointments changed since the watermark, minus an overlap, plus mappings that are
 * not 'synced'; a full scan runs when the watermark is unset or a day old).
 * Adds to calendar_event_mappings what no-echo and conflict detection need: synced_crm_version
 * (appointments.crm_version both sides agreed on at the last sync), remote_updated_at,
 * remote_deleted, ical_uid, series_id. Creates calendar_conflicts: both versions of an
 * appointment changed on both sides, kept for a person to resolve (strategy 'manual').
 */
set local role crmsync_owner;

-- calendar_accounts --------------------------------------------------------------------------

alter table public.calendar_accounts add column if not exists lease_owner text;
alter table public.calendar_accounts add column if not exists lease_expires_at timestamptz;
alter table public.calendar_accounts add column if not exists sync_requested_at timestamptz;
alter table public.calendar_accounts add column if not exists last_error text;
alter table public.calendar_accounts add column if not exists export_watermark timestamptz;
alter table public.calendar_accounts add column if not exists export_full_scan_at timestamptz;
alter table public.calendar_accounts add column if not exists export_watermark_staged timestamptz;
alter table public.calendar_accounts add column if not exists export_full_scan_staged boolean not null default false;

comment on column public.calendar_accounts.lease_owner is
  'Worker holding the sync lease (set by claim_calendar_accounts); null when free.';
comment on column public.calendar_accounts.lease_expires_at is
  'When the sync lease lapses; an expired lease may be claimed by another worker.';
comment on column public.calendar_accounts.sync_requested_at is
  'A person asked to sync now (request_calendar_sync); cleared when a worker claims the account.';
comment on column public.calendar_accounts.last_error is
  'Error of the last failed or partial run, or the reason re-authorization is needed; null after a success.';
comment on column public.calendar_accounts.export_watermark is
  'calendar_export_batch considers appointments updated after this (minus an overlap); null = full scan.';
comment on column public.calendar_accounts.export_full_scan_at is
  'When calendar_export_batch last scanned every appointment of the account''s user.';
comment on column public.calendar_accounts.export_watermark_staged is
  'Watermark of the current run''s completed export scan; adopted by finish_calendar_sync (success/partial).';
comment on column public.calendar_accounts.export_full_scan_staged is
  'The staged watermark comes from a full scan.';

create index if not exists calendar_accounts_schedule_idx
  on public.calendar_accounts (next_sync_at)
  where sync_enabled and connection_status in ('connected', 'error');
create index if not exists calendar_accounts_sync_requested_idx
  on public.calendar_accounts (sync_requested_at)
  where sync_requested_at is not null and sync_enabled and connection_status in ('connected', 'error');
-- Lease renew/release address an account by id alone (the primary key leads with the org).
create index if not exists calendar_accounts_id_idx on public.calendar_accounts (id);

-- calendar_event_mappings --------------------------------------------------------------------

alter table public.calendar_event_mappings add column if not exists synced_crm_version bigint;
alter table public.calendar_event_mappings add column if not exists remote_updated_at timestamptz;
alter table public.calendar_event_mappings add column if not exists remote_deleted boolean not null default false;
alter table public.calendar_event_mappings add column if not exists ical_uid text;
alter table public.calendar_event_mappings add column if not exists series_id text;

comment on column public.calendar_event_mappings.synced_crm_version is
  'appointments.crm_version at the last successful sync either way; a higher crm_version means the CRM side changed since.';
comment on column public.calendar_event_mappings.remote_updated_at is 'The provider''s last-modified time of the event as last seen.';
comment on column public.calendar_event_mappings.remote_deleted is
  'The provider event is deleted/cancelled (by the provider or by our export).';
comment on column public.calendar_event_mappings.ical_uid is 'iCalendar UID of the event (shared by the instances of a series).';
comment on column public.calendar_event_mappings.series_id is 'For an instance of a recurring series: the series'' event id.';

-- Mappings that existed before this file and were in sync agree on the current version.
update public.calendar_event_mappings m
   set synced_crm_version = a.crm_version
  from public.appointments a
 where m.synced_crm_version is null
   and m.sync_status = 'synced'
   and a.organization_id = m.organization_id
   and a.id = m.appointment_id;

-- calendar_export_batch reads the account's mappings that are not in sync.
create index if not exists calendar_event_mappings_unsynced_idx
  on public.calendar_event_mappings (organization_id, calendar_account_id)
  where sync_status <> 'synced';

-- calendar_conflicts -------------------------------------------------------------------------

create table if not exists public.calendar_conflicts (
  id                  uuid not null default extensions.gen_random_uuid(),
  organization_id     uuid not null,
  calendar_account_id uuid not null,
  mapping_id          uuid not null,
  appointment_id      uuid not null,
  crm_version         bigint not null,
  crm_snapshot        jsonb not null,
  remote_snapshot     jsonb not null,
  remote_etag         text,
  detected_at         timestamptz not null default now(),
  resolved_at         timestamptz,
  resolution          text check (resolution in ('keep_crm', 'keep_calendar')),
  resolved_by         uuid,
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  primary key (organization_id, id),
  constraint calendar_conflicts_resolution_with_time check ((resolved_at is null) = (resolution is null)),
  foreign key (organization_id, calendar_account_id)
    references public.calendar_accounts (organization_id, id) on delete cascade,
  foreign key (organization_id, mapping_id)
    references public.calendar_event_mappings (organization_id, id) on delete cascade,
  foreign key (organization_id, appointment_id)
    references public.appointments (organization_id, id) on delete cascade
);
comment on table public.calendar_conflicts is
  'An appointment changed both in the CRM and in the calendar (strategy manual): both versions, until a person resolves it (resolve_calendar_conflict).';
comment on column public.calendar_conflicts.crm_version is 'appointments.crm_version when the conflict was (last) detected.';
comment on column public.calendar_conflicts.crm_snapshot is 'The CRM''s version of the appointment (title, times, deleted, …).';
comment on column public.calendar_conflicts.remote_snapshot is 'The provider''s version: the normalized event as import received it.';
comment on column public.calendar_conflicts.remote_etag is 'Etag of remote_snapshot; keep_crm exports with If-Match on it.';
comment on column public.calendar_conflicts.resolved_by is 'Who resolved it; null when the engine resolved it (strategy changed, or both sides converged).';

-- At most one open conflict per mapping: a repeated or newer remote version updates it.
create unique index if not exists calendar_conflicts_open_mapping_idx
  on public.calendar_conflicts (organization_id, mapping_id) where resolved_at is null;
create index if not exists calendar_conflicts_org_account_idx
  on public.calendar_conflicts (organization_id, calendar_account_id, detected_at desc);
create index if not exists calendar_conflicts_org_appointment_idx
  on public.calendar_conflicts (organization_id, appointment_id);

alter table public.calendar_conflicts enable row level security;
alter table public.calendar_conflicts force row level security;

/*
 * One event of an import page, parsed and classified. `action` is what import does with it:
 *   create       no mapping, live event: new appointment + mapping
 *   link         no mapping, live event carrying the client_id of an unmapped appointment
 *   apply        calendar version applied to the appointment (update / undelete)
 *   delete_local calendar deletion applied (soft delete)
 *   absorb       both sides already agree: only the mapping's etag/version move
 *   keep_crm     CRM wins: store the remote etag (If-Match), leave the change for export
 *   conflict     manual strategy: conflict row, mapping 'conflict'
 *   none         nothing to write (unchanged, ignored, invalid)
 */
do $$
begin
  if to_regtype('private.calendar_import_item') is null then
    create type private.calendar_import_item as (
      ord               bigint,
      external_event_id text,
      etag              text,
      live              boolean,
      title             text,
      description       text,
      location          text,
      all_day           boolean,
      start_time        timestamptz,
      end_time          timestamptz,
      time_zone         text,
      remote_updated_at timestamptz,
      ical_uid          text,
      series_id         text,
      event             jsonb,
      mapping_id        uuid,
      mapping_status    text,
      appointment_id    uuid,
      same_content      boolean,
      action            text,
      outcome           text
    );
  end if;
end
$$;
comment on type private.calendar_import_item is
  'One parsed and classified event of an import page (import_calendar_events).';
