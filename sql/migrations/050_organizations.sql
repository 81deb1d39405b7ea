/*
 * 050_organizations.sql — the tenants. Its id is the tenant key every other table carries.
 */
set local role crmsync_owner;

create table if not exists public.organizations (
  id         uuid primary key default extensions.gen_random_uuid(),
  name       text not null check (length(btrim(name)) > 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.organizations is 'Tenants of crmsync; every tenant row carries organization_id = organizations.id.';

alter table public.organizations enable row level security;
alter table public.organizations force row level security;
