/*
 * 060_user_organizations.sql — membership: which user belongs to which organization, and how.
 *
 * private.current_org_id() trusts app.org_id only when auth.uid() has a row here.
 */
set local role crmsync_owner;

create table if not exists public.user_organizations (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id         uuid not null,
  role            text not null default 'member' check (role in ('owner', 'admin', 'member')),
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  primary key (organization_id, user_id)
);
comment on table public.user_organizations is 'Membership of users in organizations with their role (owner|admin|member).';

create index if not exists user_organizations_user_id_idx on public.user_organizations (user_id);

alter table public.user_organizations enable row level security;
alter table public.user_organizations force row level security;
