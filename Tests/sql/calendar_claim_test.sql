/*
 * Tests/sql/calendar_claim_test.sql — psql checks of the scheduler's claims
 * (claim_calendar_accounts, claim_email_accounts): the one order (oldest request first, then
 * next_sync_at with never-scheduled first, then id) across the requested and the scheduled
 * accounts, the run's trigger, and that a claim (and the due count and the next lease expiry
 * beside it) reads the due accounts, not the table
 * (sql/migrations/365: 2,000 accounts scheduled later, their rows read are counted from the
 * transaction's own statistics; nothing is timed).
 *
 * Run on a scratch database holding every migration and demo/seed.sql (see run.sh next to
 * this file).
 */
\ir calendar_helpers.psql

\echo '== claims: one order over requested and scheduled accounts, reading only the due ones'
-- nothing of the seed is due; six members of acme with an account each, due in different ways
update public.calendar_accounts set next_sync_at = now() + interval '1 hour', sync_requested_at = null, lease_expires_at = null;
update public.email_accounts set next_sync_at = now() + interval '1 hour', sync_requested_at = null, lease_expires_at = null;
insert into public.user_organizations (organization_id, user_id, role)
select :'acme', ('10000000-0000-4000-8000-0000000d000' || i)::uuid, 'member' from generate_series(1, 6) i;
insert into public.calendar_accounts (id, organization_id, user_id, provider, email, connection_status, next_sync_at, sync_requested_at, webhook_requested_at)
values
  -- scheduled: due an hour ago, due a minute ago, never scheduled, due in an hour
  ('10000000-0000-4000-8000-0000000e0001', :'acme', '10000000-0000-4000-8000-0000000d0001', 'google', 'c1@acme.example', 'connected', now() - interval '1 hour', null, null),
  ('10000000-0000-4000-8000-0000000e0002', :'acme', '10000000-0000-4000-8000-0000000d0002', 'google', 'c2@acme.example', 'error', now() - interval '1 minute', null, null),
  ('10000000-0000-4000-8000-0000000e0003', :'acme', '10000000-0000-4000-8000-0000000d0003', 'google', 'c3@acme.example', 'connected', null, null, null),
  ('10000000-0000-4000-8000-0000000e0004', :'acme', '10000000-0000-4000-8000-0000000d0004', 'google', 'c4@acme.example', 'connected', now() + interval '1 hour', null, null),
  -- requested: by a webhook two minutes ago (scheduled later), by a person a minute ago
  ('10000000-0000-4000-8000-0000000e0005', :'acme', '10000000-0000-4000-8000-0000000d0005', 'google', 'c5@acme.example', 'connected', now() + interval '1 hour', now() - interval '2 minutes', now() - interval '2 minutes'),
  ('10000000-0000-4000-8000-0000000e0006', :'acme', '10000000-0000-4000-8000-0000000d0006', 'google', 'c6@acme.example', 'connected', now() - interval '2 hours', now() - interval '1 minute', null);

begin;
select t.eq((select string_agg(right(account_id::text, 1) || ':' || sync_trigger, ',')
               from public.claim_calendar_accounts('w1', 3, 60)), '5:webhook,6:manual,3:auto',
            'requests first, oldest first; then the never-scheduled account');
select t.eq((select string_agg(right(account_id::text, 1) || ':' || sync_trigger, ',')
               from public.claim_calendar_accounts('w1', 10, 60)), '1:auto,2:auto', 'then by next_sync_at; not what is due later');
select t.eq((select count(*) from public.calendar_accounts where lease_owner = 'w1' and sync_requested_at is null
               and id::text like '10000000-0000-4000-8000-0000000e000%'), 5::bigint, 'the claimed are leased, their requests cleared');
select t.eq((select count(*) from public.claim_calendar_accounts('w2', 10, 60)), 0::bigint, 'nothing leased is claimed again');
rollback;
begin;
select t.eq((select string_agg(right(account_id::text, 1), ',') from public.claim_calendar_accounts('w1', 1, 60)), '5', 'a limit of one takes the oldest request');
select t.eq((select string_agg(right(account_id::text, 1), ',') from public.claim_calendar_accounts('w1', 2, 60)), '6,3', 'the next claim goes on in order');
rollback;
-- a disabled account or one to reconnect is not claimed, even requested
update public.calendar_accounts set sync_enabled = false where id = '10000000-0000-4000-8000-0000000e0005';
update public.calendar_accounts set connection_status = 'needs_reauth' where id = '10000000-0000-4000-8000-0000000e0003';
begin;
select t.eq((select string_agg(right(account_id::text, 1), ',') from public.claim_calendar_accounts('w1', 10, 60)), '6,1,2', 'disabled and needs_reauth accounts are left alone');
rollback;

-- 2,000 more accounts. The statistics were taken while they were due (as every statistic of
-- next_sync_at is, once the clock has passed the times it holds); they are synced since, each
-- written a few times (dead row versions), and scheduled later. Autovacuum is off for the
-- table, so nothing analyzes it behind the test's back.
alter table public.calendar_accounts set (autovacuum_enabled = false);
alter table public.email_accounts set (autovacuum_enabled = false);
insert into public.user_organizations (organization_id, user_id, role)
select :'acme', extensions.gen_random_uuid(), 'member' from generate_series(1, 2000);
insert into public.calendar_accounts (organization_id, user_id, provider, email, connection_status, next_sync_at)
select :'acme', u.user_id, 'google', u.user_id || '@acme.example', 'connected', now() - interval '1 hour'
  from public.user_organizations u
 where u.organization_id = :'acme' and not exists (select 1 from public.calendar_accounts a where a.user_id = u.user_id);
analyze public.calendar_accounts;
update public.calendar_accounts set next_sync_at = now() + interval '5 minutes' where email like '%-%@acme.example';
update public.calendar_accounts set next_sync_at = now() + interval '6 minutes' where email like '%-%@acme.example';
-- the versions that were due before these updates are vacuumed (until then, the first scan
-- of the due range meets each once and marks it dead in the index)
vacuum public.calendar_accounts;
begin;
select t.rows_read('public.calendar_accounts') as before_claim \gset
select t.eq((select count(*) from public.claim_calendar_accounts('w1', 10, 60)), 3::bigint, 'the three due accounts are claimed');
select t.eq(t.rows_read('public.calendar_accounts') - :before_claim < 40, true, 'a claim reads the due accounts, not the 2,000 scheduled later');
select t.rows_read('public.calendar_accounts') as before_claim \gset
select t.eq((select count(*) from public.claim_calendar_accounts('w2', 10, 60)), 0::bigint, 'then nothing is due');
select t.eq(t.rows_read('public.calendar_accounts') - :before_claim < 40, true, 'a claim that finds nothing reads next to nothing');
rollback;
-- the metrics' count and an idle slot's wait read the same due rows as a claim
begin;
select t.rows_read('public.calendar_accounts') as before_count \gset
select t.eq(public.calendar_due_account_count(), 3::bigint, 'the three due accounts are counted');
select t.eq(t.rows_read('public.calendar_accounts') - :before_count < 40, true, 'counting them reads the due accounts, not the 2,000 scheduled later');
select count(*) from public.claim_calendar_accounts('w1', 2, 60) \g /dev/null
select t.rows_read('public.calendar_accounts') as before_expiry \gset
select t.eq((select public.calendar_next_lease_expiry() between 55 and 60), true, 'an idle slot waits for the earliest lease of a due account');
select t.eq(t.rows_read('public.calendar_accounts') - :before_expiry < 40, true, 'finding that lease reads the due accounts, not the 2,000 scheduled later');
select t.eq(public.calendar_due_account_count(), 1::bigint, 'the leased accounts are no longer counted as due');
rollback;

-- email accounts: the same order and the same reading
insert into public.email_accounts (id, organization_id, user_id, provider, email, connection_status, next_sync_at, sync_requested_at)
values
  ('10000000-0000-4000-8000-0000000f0001', :'acme', '10000000-0000-4000-8000-0000000d0001', 'gmail', 'm1@acme.example', 'connected', now() - interval '1 hour', null),
  ('10000000-0000-4000-8000-0000000f0002', :'acme', '10000000-0000-4000-8000-0000000d0002', 'gmail', 'm2@acme.example', 'connected', null, null),
  ('10000000-0000-4000-8000-0000000f0003', :'acme', '10000000-0000-4000-8000-0000000d0003', 'gmail', 'm3@acme.example', 'connected', now() + interval '1 hour', now() - interval '1 minute'),
  ('10000000-0000-4000-8000-0000000f0004', :'acme', '10000000-0000-4000-8000-0000000d0004', 'gmail', 'm4@acme.example', 'connected', now() + interval '1 hour', null);
insert into public.email_accounts (organization_id, user_id, provider, email, connection_status, next_sync_at)
select :'acme', u.user_id, 'gmail', u.user_id || '@acme.example', 'connected', now() - interval '1 hour'
  from public.user_organizations u
 where u.organization_id = :'acme' and u.user_id::text not like '10000000-0000-4000-8000-0000000d000%'
   and not exists (select 1 from public.email_accounts a where a.user_id = u.user_id);
analyze public.email_accounts;
update public.email_accounts set next_sync_at = now() + interval '5 minutes' where email like '%-%@acme.example';
vacuum public.email_accounts;
begin;
select t.rows_read('public.email_accounts') as before_claim \gset
select t.eq((select string_agg(right(account_id::text, 1), ',') from public.claim_email_accounts('w1', 10, 60)), '3,2,1',
            'email: the request first, then the never-scheduled account, then by next_sync_at');
select t.eq(t.rows_read('public.email_accounts') - :before_claim < 40, true, 'email: a claim reads the due accounts, not the 2,000 scheduled later');
rollback;

alter table public.calendar_accounts reset (autovacuum_enabled);
alter table public.email_accounts reset (autovacuum_enabled);

\echo '== all checks passed'
