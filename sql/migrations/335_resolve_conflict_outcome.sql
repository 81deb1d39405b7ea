/*
 * 335_resolve_conflict_outcome.sql — public.resolve_calendar_conflict says whether it resolved.
 *
 * Concurrent resolutions of one conflict must end with exactly one winner and the others told
 * "already resolved". The function used to return void, so a caller could not
 * tell its own resolution from an identical one committed a moment earlier by another request;
 * it now returns boolean (true: this call resolved it). A return type cannot be changed by
 * `create or replace`, so the old function is dropped here; its file creates the new one.
 */
set local role crmsync_owner;

drop function if exists public.resolve_calendar_conflict(uuid, text);
