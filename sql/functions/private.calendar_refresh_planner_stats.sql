/*
 * private.calendar_refresh_planner_stats.sql — Import/export helper: ANALYZEs appointments /
 * calendar_event_mappings when they more than doubled (plus 10 pages) since the last
 * ANALYZE/VACUUM (relpages; immediate, unlike the statistics collector). Skips a table another
 * session is analyzing.
 *
 * What the generic plans of the import and export need is that a table has statistics at all
 * (a never-analyzed table gets default selectivities, under which a scan of an account's
 * mappings looks as cheap as a probe by key) and the functional dependencies of
 * 360_calendar_planner_dependencies.sql; the sizes need not be exact. Refreshing at every 20 %
 * of growth analyzed both tables on most pages of a first import into a young database (a
 * third of what the import cost beyond its writes); at every doubling it is a few times in
 * the life of a table, and autovacuum does the rest.
 */
set local role crmsync_owner;

create or replace function private.calendar_refresh_planner_stats()
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_table text;
begin
  -- Tables that doubled since their last ANALYZE (a fresh database, a first big import) are
  -- refreshed here rather than when autovacuum gets to them. NOWAIT: when another session is
  -- analyzing, skip.
  for v_table in
    select c.relname
      from pg_catalog.pg_class c
     where c.oid in ('public.appointments'::regclass, 'public.calendar_event_mappings'::regclass)
       and pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::int > 10 + 2 * c.relpages
  loop
    begin
      execute format('lock table public.%I in share update exclusive mode nowait', v_table);
      execute format('analyze public.%I', v_table);
    exception
      when lock_not_available then
        null;
    end;
  end loop;
end
$$;
comment on function private.calendar_refresh_planner_stats() is
  'Import/export helper: ANALYZEs appointments / calendar_event_mappings when they more than doubled (plus 10 pages) since the last ANALYZE/VACUUM (relpages; immediate, unlike the statistics collector). Skips a table another session is analyzing.';
revoke execute on function private.calendar_refresh_planner_stats() from public;
grant execute on function private.calendar_refresh_planner_stats() to crmsync_worker;
-- The refresh exists to bring table sizes up to date and to make cached plans be replanned
-- while a young table grows (the plans here no longer depend on fine statistics). A sample of
-- 3,000 rows instead of 30,000 does that at a sixth of the cost (16 ms instead of 100 ms at
-- 18,000 rows, measured); autovacuum's own ANALYZE later restores the full statistics.
alter function private.calendar_refresh_planner_stats() set default_statistics_target = 10;
