/*
 * policies/audit_log.sql — reading the audit trail.
 *
 * Owners/admins read the active organization's entries; super admins read everything
 * (platform events included). Nobody gets INSERT/UPDATE/DELETE/TRUNCATE: rows are written only
 * by private.write_audit(), and triggers refuse changes even for the owner.
 */
set local role crmsync_owner;

revoke all on table public.audit_log from public, authenticated, crmsync_worker;
grant select on table public.audit_log to authenticated;

drop policy if exists audit_log_authenticated_select on public.audit_log;
create policy audit_log_authenticated_select on public.audit_log
  for select to authenticated
  using ((organization_id = any ((select private.readable_org_ids())::uuid[])
          and (select private.reads_whole_organization()))
         or (organization_id is null and (select private.is_super_admin())));

-- crmsync_owner is not BYPASSRLS: its security definer functions pass the forced policies here.
drop policy if exists audit_log_crmsync_owner_all on public.audit_log;
create policy audit_log_crmsync_owner_all on public.audit_log
  for all to crmsync_owner
  using (true) with check (true);
