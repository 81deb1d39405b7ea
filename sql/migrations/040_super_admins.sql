/*
 * 040_super_admins.sql — platform super admins.
 *
 * A super admin may READ rows of every organization (SELECT policies consult
 * private.is_super_admin()), never secrets, never writes across organizations. Empty by
 * default; only the owner or a DBA writes it. No role is granted anything on it.
 */
set local role crmsync_owner;

create table if not exists private.super_admins (
  user_id    uuid primary key,
  created_at timestamptz not null default now()
);
comment on table private.super_admins is
  'Users who may read every organization''s rows (never secrets, never writes). Written by the DBA only.';

alter table private.super_admins enable row level security;
alter table private.super_admins force row level security;
