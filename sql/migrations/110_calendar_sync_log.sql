/*
 * 110_calendar_sync_log.sql — one row per sync run of a calendar account, whatever happens.
 */
set local role crmsync_owner;

create table if not exists public.calendar_sync_log (
  id                  uuid not null default extensions.gen_random_uuid(),
  organization_id     uuid not null,
  calendar_account_id uuid not null,
  sync_type           text not null default 'auto' check (sync_type in ('manual', 'auto', 'webhook')),
  sync_direction      text not null default 'bidirectional' check (sync_direction in ('import', 'export', 'bidirectional')),
  events_imported     integer not null default 0 check (events_imported >= 0),
  events_exported     integer not null default 0 check (events_exported >= 0),
  events_updated      integer not null default 0 check (events_updated >= 0),
  events_deleted      integer not null default 0 check (events_deleted >= 0),
  errors              integer not null default 0 check (errors >= 0),
  status              text not null default 'running' check (status in ('running', 'success', 'partial', 'failed')),
  error_details       jsonb not null default '[]'::jsonb,
  started_at          timestamptz not null default now(),
  completed_at        timestamptz,
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  primary key (organization_id, id),
  constraint calendar_sync_log_completed_after_start check (completed_at >= started_at),
  foreign key (organization_id, calendar_account_id)
    references public.calendar_accounts (organization_id, id) on delete cascade
);
comment on table public.calendar_sync_log is 'One row per calendar sync run: counts, errors, status.';

create index if not exists calendar_sync_log_org_account_started_idx
  on public.calendar_sync_log (organization_id, calendar_account_id, started_at desc);
create index if not exists calendar_sync_log_org_started_idx
  on public.calendar_sync_log (organization_id, started_at desc);

alter table public.calendar_sync_log enable row level security;
alter table public.calendar_sync_log force row level security;
