/*
 * 030_audit_log.sql — the append-only audit trail and its only writer, private.write_audit().
 *
 * Who connected/disconnected what, every secret read, every rotation batch. Rows are written
 * only by private.write_audit() (security definer, executable by the owner alone), which
 * triggers and API functions call. A row trigger refuses UPDATE and DELETE and a statement
 * trigger refuses TRUNCATE, for everyone including the owner. organization_id is null for
 * platform events (platform OAuth clients, rotation); there is deliberately no foreign key, so
 * the trail outlives a deleted organization.
 */
set local role crmsync_owner;

create table if not exists public.audit_log (
  id              bigint generated always as identity primary key,
  organization_id uuid,
  actor_user_id   uuid,
  actor_role      text,
  action          text not null check (length(btrim(action)) > 0),
  target_table    text,
  target_id       uuid,
  details         jsonb not null default '{}'::jsonb,
  created_at      timestamptz not null default now()
);
comment on table public.audit_log is
  'Append-only audit trail (crmsync). organization_id null = platform event. Written only by private.write_audit().';
comment on column public.audit_log.actor_user_id is 'auth.uid() of the caller when the row was written (null: no identity, e.g. the admin CLI).';
comment on column public.audit_log.actor_role is
  'The invoker''s role: the SET ROLE in effect (authenticated, crmsync_worker, …), else session_user — never the security definer owner.';

create index if not exists audit_log_organization_id_created_at_idx
  on public.audit_log (organization_id, created_at);

alter table public.audit_log enable row level security;
alter table public.audit_log force row level security;
