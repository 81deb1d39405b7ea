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

create or replace function private.forbid_audit_log_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'public.audit_log is append-only: % is not allowed', tg_op
    using errcode = '42501';
end
$$;
comment on function private.forbid_audit_log_change() is
  'Trigger: refuses UPDATE, DELETE and TRUNCATE on public.audit_log (append-only).';
revoke execute on function private.forbid_audit_log_change() from public;

create or replace trigger audit_log_forbid_change
  before update or delete on public.audit_log
  for each row execute function private.forbid_audit_log_change();
create or replace trigger audit_log_forbid_truncate
  before truncate on public.audit_log
  for each statement execute function private.forbid_audit_log_change();

create or replace function private.write_audit(
  p_organization_id uuid,
  p_action          text,
  p_target_table    text default null,
  p_target_id       uuid default null,
  p_details         jsonb default '{}'::jsonb
) returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.audit_log (organization_id, actor_user_id, actor_role, action, target_table, target_id, details)
  values (
    p_organization_id,
    auth.uid(),
    -- Inside security definer code current_user is the owner; the GUC "role" still holds the
    -- caller's SET ROLE ('none' when there was none, then the login role is the actor).
    coalesce(nullif(current_setting('role', true), 'none'), session_user::text),
    p_action, p_target_table, p_target_id, coalesce(p_details, '{}'::jsonb)
  );
end
$$;
comment on function private.write_audit(uuid, text, text, uuid, jsonb) is
  'The only writer of public.audit_log. Actor = auth.uid() and the invoker role (SET ROLE, else session_user). Never pass secrets in p_details.';
revoke execute on function private.write_audit(uuid, text, text, uuid, jsonb) from public;
