/*
 * 100_calendar_event_mappings.sql — which appointment is which provider event in which account.
 *
 * Composite foreign keys (organization_id, …) make a mapping unable to point at another
 * tenant's appointment or account; both cascade on delete.
 */
set local role crmsync_owner;

create table if not exists public.calendar_event_mappings (
  id                  uuid not null default extensions.gen_random_uuid(),
  organization_id     uuid not null,
  appointment_id      uuid not null,
  calendar_account_id uuid not null,
  external_event_id   text not null check (length(external_event_id) > 0),
  etag                text,
  sync_status         text not null default 'pending' check (sync_status in ('synced', 'pending', 'conflict', 'error')),
  sync_direction      text check (sync_direction in ('import', 'export')),
  last_synced         timestamptz,
  error_message       text,
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  primary key (organization_id, id),
  unique (organization_id, calendar_account_id, external_event_id),
  unique (organization_id, calendar_account_id, appointment_id),
  foreign key (organization_id, appointment_id)
    references public.appointments (organization_id, id) on delete cascade,
  foreign key (organization_id, calendar_account_id)
    references public.calendar_accounts (organization_id, id) on delete cascade
);
comment on table public.calendar_event_mappings is
  'Appointment <-> provider event per calendar account, with etag and sync status.';

create index if not exists calendar_event_mappings_org_appointment_idx
  on public.calendar_event_mappings (organization_id, appointment_id);

alter table public.calendar_event_mappings enable row level security;
alter table public.calendar_event_mappings force row level security;
