/*
 * private.write_audit.sql — the append-only audit trail and its only writer, private.write_audit().
 *
 * Who connected/disconnected what, every secret read, every rotation batch. Rows are written
 * only by private.write_audit() (security definer, executable by the owner alone), which
 * triggers and API functions call. A row trigger refuses UPDATE and DELETE and a statement
 * trigger refuses TRUNCATE, for everyone including the owner. organization_id is null for
 * platform events (platform OAuth clients, rotation); there is deliberately no foreign key, so
 * the trail outlives a deleted organization.
 */
set local role crmsync_owner;

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
