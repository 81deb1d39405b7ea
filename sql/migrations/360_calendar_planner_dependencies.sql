/*
 * 360_calendar_planner_dependencies.sql — the planner learns that a calendar account belongs
 * to one organization and an appointment owner to one organization.
 *
 * The import and export functions run one generic plan per session, made of per-event index
 * probes. Without these statistics the planner multiplies the selectivities of
 * `organization_id = $1` and `calendar_account_id = $2` as if they were independent: with many
 * tenants (1,000 organizations of 10 accounts, 1 million mappings) it expects 0.1 mapping per
 * account, so a probe by the key (organization_id, calendar_account_id, external_event_id)
 * and a scan of the index (organization_id, calendar_account_id, appointment_id) on its first
 * two columns look equally cheap, and it chose the latter: every event of a page then read all
 * of the account's mappings (38,000 tuples an event, 12-23 s a page of 1,000). The same
 * mistake made `appointments (organization_id, owner_id)` the probe of an appointment by id
 * (every appointment of its owner read per event). With the functional dependencies an
 * account's mappings are estimated as the rows of one account (about the average account's),
 * and the unique keys win whatever the number of tenants. ANALYZE (autovacuum's, and
 * private.calendar_refresh_planner_stats while a table is young) keeps them current.
 */
set local role crmsync_owner;

create statistics if not exists public.calendar_event_mappings_org_account_dependencies (dependencies)
  on organization_id, calendar_account_id from public.calendar_event_mappings;
comment on statistics public.calendar_event_mappings_org_account_dependencies is
  'A calendar account lies in one organization: the planner must not multiply the two selectivities (generic plans of the import and export probes).';

create statistics if not exists public.appointments_org_owner_dependencies (dependencies)
  on organization_id, owner_id from public.appointments;
comment on statistics public.appointments_org_owner_dependencies is
  'An appointment owner lies in one organization: the planner must not multiply the two selectivities (generic plans of the import probes).';

-- Build them now, so that plans made before the next autovacuum already use them.
analyze public.calendar_event_mappings;
analyze public.appointments;
