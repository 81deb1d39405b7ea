/*
 * 070_appointments.sql — the CRM's appointments, the CRM side of calendar sync.
 *
 * crm_version is the CRM's change marker: a trigger increments it on every UPDATE that changes
 * a user-visible column (bookkeeping such as updated_at alone does not count), and ignores any
 * value a client tries to write into it. The sync engine exports rows whose crm_version moved.
 * deleted_at is a soft delete, so deletions can be exported too.
 */
set local role crmsync_owner;

create table if not exists public.appointments (
  id              uuid not null default extensions.gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  owner_id        uuid not null,
  contact_id      uuid,
  title           text not null check (length(btrim(title)) > 0),
  description     text,
  location        text,
  start_time      timestamptz not null,
  end_time        timestamptz not null,
  all_day         boolean not null default false,
  time_zone       text not null default 'UTC' check (length(btrim(time_zone)) > 0),
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  deleted_at      timestamptz,
  crm_version     bigint not null default 1 check (crm_version >= 1),
  primary key (organization_id, id),
  constraint appointments_end_after_start check (end_time >= start_time)
);
comment on table public.appointments is
  'CRM appointments (soft-deleted via deleted_at). crm_version increments on every user-visible change.';
comment on column public.appointments.crm_version is 'Change marker maintained by trigger; clients cannot set it.';

create index if not exists appointments_org_start_time_idx on public.appointments (organization_id, start_time);
create index if not exists appointments_org_owner_idx on public.appointments (organization_id, owner_id);
create index if not exists appointments_org_updated_at_idx on public.appointments (organization_id, updated_at);

alter table public.appointments enable row level security;
alter table public.appointments force row level security;
