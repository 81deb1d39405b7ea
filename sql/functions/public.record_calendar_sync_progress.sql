/*
 * public.record_calendar_sync_progress.sql — Stores the counts of a run still under way on its
 * calendar_sync_log row (caller's account, worker session), after every imported page and
 * exported batch. A run whose worker dies or whose database goes away keeps on its row what it
 * had done; start_calendar_sync later closes it as abandoned with those counts. Counts only
 * grow; a finished row is left alone.
 */
set local role crmsync_owner;

create or replace function public.record_calendar_sync_progress(
  p_log_id   uuid,
  p_imported int,
  p_exported int,
  p_updated  int,
  p_deleted  int,
  p_errors   int
) returns void
language sql
volatile
set search_path = ''
as $$
  update public.calendar_sync_log l
     set events_imported = greatest(l.events_imported, coalesce(p_imported, 0)),
         events_exported = greatest(l.events_exported, coalesce(p_exported, 0)),
         events_updated  = greatest(l.events_updated, coalesce(p_updated, 0)),
         events_deleted  = greatest(l.events_deleted, coalesce(p_deleted, 0)),
         errors          = greatest(l.errors, coalesce(p_errors, 0))
   where l.organization_id = private.current_org_id() and l.id = p_log_id and l.status = 'running';
$$;
comment on function public.record_calendar_sync_progress(uuid, int, int, int, int, int) is
  'Stores the counts of a run under way on its calendar_sync_log row (caller''s account), after every imported page and exported batch, so an abandoned run keeps what it did. Counts only grow; a finished row is left alone.';
revoke execute on function public.record_calendar_sync_progress(uuid, int, int, int, int, int) from public;
grant execute on function public.record_calendar_sync_progress(uuid, int, int, int, int, int) to crmsync_worker;
