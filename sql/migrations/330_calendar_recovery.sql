/*
 * 330_calendar_recovery.sql — what a run was asked for by, carried from the request to the log.
 *
 * A sync requested through a webhook is logged as `webhook`, one a person asked for (the API,
 * a reconnect, a conflict resolution, a settings change) as `manual`, one the schedule made
 * due as `auto`. public.accept_calendar_push_notification stamps webhook_requested_at with
 * the same now() it gives sync_requested_at; the pending request is a webhook's exactly when
 * both are equal (any later request by a person moves sync_requested_at on), so no other
 * function that requests a sync needs to know about it. public.claim_calendar_accounts
 * returns the trigger with each claimed account: its return type changes, so it is dropped
 * here and re-created by its file.
 */
set local role crmsync_owner;

alter table public.calendar_accounts add column if not exists webhook_requested_at timestamptz;
comment on column public.calendar_accounts.webhook_requested_at is
  'When a webhook last requested a sync; the pending request (sync_requested_at) is that webhook''s when both are equal.';

drop function if exists public.claim_calendar_accounts(text, int, int);
