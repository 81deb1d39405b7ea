/*
 * Tests/sql/oauth_connect_test.sql — psql checks of the browser connect flow's state store
 * (sql/250_oauth_connect_states.sql): begin as a person, consume with no identity as the
 * worker (single use, expiry, unknown, replay), finish in the owner's session, purge.
 *
 * Run on a scratch database holding every migration and demo/seed.sql (see run.sh next to
 * this file). Each step runs as the app would; checks raise an exception on failure.
 */
\ir test_helpers.psql
\set acme '10000000-0000-4000-8000-000000000001'
\set globex '20000000-0000-4000-8000-000000000001'
\set alice '10000000-0000-4000-8000-0000000000a1'
\set bob '10000000-0000-4000-8000-0000000000b2'
\set hank '20000000-0000-4000-8000-0000000000b2'
\set acc_alice '10000000-0000-4000-8000-0000000c0001'
\set acc_bob '10000000-0000-4000-8000-0000000c0002'
\set key '0123456789abcdef0123456789abcdef'
\set state1 'state-one-0123456789abcdef0123456789abcdef'
\set state2 'state-two-0123456789abcdef0123456789abcdef'
\set state3 'state-three-0123456789abcdef0123456789abcdef'
\set verifier 'verifier-0123456789abcdef0123456789abcdef-0123456789'


\echo '== 1. begin: a member of the active organization only, inputs validated, nothing in plaintext'
begin;
select set_config('crmsync.token_key', :'key', true) \g /dev/null
set local role authenticated;
select t.as_user(:'alice', :'acme') \g /dev/null
select t.eq((select count(*) from public.begin_calendar_connect('google', :'state1', :'verifier', 'work@group.calendar')), 1::bigint,
            'alice begins a google connect');
select t.eq((select count(*) from public.begin_calendar_connect('outlook', :'state2', :'verifier')), 1::bigint,
            'alice begins an outlook connect');
select t.fails($$select public.begin_calendar_connect('icloud', 'state-x-0123456789abcdef0123456789abcdef', 'verifier-0123456789abcdef0123456789abcdef-0123456789')$$, '22023', 'unknown provider');
select t.fails($$select public.begin_calendar_connect('google', 'short', 'verifier-0123456789abcdef0123456789abcdef-0123456789')$$, '22023', 'short state');
select t.fails($$select public.begin_calendar_connect('google', 'state-x-0123456789abcdef0123456789abcdef', 'bad verifier')$$, '22023', 'invalid verifier');
select t.fails($$select public.begin_calendar_connect('google', 'state-one-0123456789abcdef0123456789abcdef', 'verifier-0123456789abcdef0123456789abcdef-0123456789')$$, '23505', 'the same state twice');
select t.eq((select count(*) from public.oauth_connect_states), 2::bigint, 'alice sees her two pending states');
select t.fails($$select state_hash from public.oauth_connect_states$$, '42501', 'the state hash is not readable');
select t.fails($$select code_verifier_encrypted from public.oauth_connect_states$$, '42501', 'the ciphertext is not readable');
select t.fails($$update public.oauth_connect_states set expires_at = now() + interval '1 year'$$, '42501', 'a person cannot extend a state');
select t.fails($$delete from public.oauth_connect_states$$, '42501', 'a person cannot delete a state');
select t.as_user(:'hank', :'acme') \g /dev/null
select t.fails($$select public.begin_calendar_connect('google', 'state-x-0123456789abcdef0123456789abcdef', 'verifier-0123456789abcdef0123456789abcdef-0123456789')$$, '42501', 'hank (Globex) cannot begin in Acme');
select t.as_user(:'bob', :'acme') \g /dev/null
select t.eq((select count(*) from public.oauth_connect_states), 0::bigint, 'bob does not see alice''s states');
reset role;
select set_config('crmsync.token_key', '', true) \g /dev/null
select t.eq((select count(*) from public.oauth_connect_states s where s.state_hash = extensions.digest(:'state1', 'sha256')
              and s.expires_at = s.created_at + interval '10 minutes' and s.calendar_id = 'work@group.calendar'
              and s.user_id = :'alice' and s.organization_id = :'acme'),
            1::bigint, 'stored as sha256(state), bound to alice@acme, 10 minutes');
select t.eq((select count(*) from public.oauth_connect_states s
              where position(convert_to(:'verifier', 'UTF8') in s.code_verifier_encrypted) > 0
                 or position(convert_to(:'state1', 'UTF8') in s.code_verifier_encrypted) > 0),
            0::bigint, 'no plaintext verifier or state in any row');
commit;

\echo '== 2. consume: no identity, single use, the bound user and the verifier'
begin;
select set_config('crmsync.token_key', :'key', true) \g /dev/null
set local role crmsync_worker;
create temp table c1 on commit drop as select * from public.consume_calendar_connect(:'state1');
select t.eq((select outcome || '|' || user_id || '|' || organization_id || '|' || provider || '|' || calendar_id || '|' || code_verifier from c1),
            'ok|' || :'alice' || '|' || :'acme' || '|google|work@group.calendar|' || :'verifier', 'first use: ok, bound to alice@acme with the verifier');
select t.eq((select outcome || '|' || coalesce(user_id::text, '-') || '|' || coalesce(code_verifier, '-') from public.consume_calendar_connect(:'state1')),
            'used|-|-', 'second use (replay): used, nothing revealed');
select t.eq((select outcome from public.consume_calendar_connect('nope-0123456789abcdef0123456789abcdef-nope')), 'unknown', 'unknown state');
select t.eq((select outcome from public.consume_calendar_connect('x')), 'unknown', 'malformed state');
select t.eq((select outcome from public.consume_calendar_connect(null)), 'unknown', 'no state');
select t.fails($$select * from public.oauth_connect_states$$, '42501', 'the worker has no table access');
commit;

\echo '== 3. consume: an expired state is consumed anyway and reported expired'
begin;
update public.oauth_connect_states set created_at = now() - interval '11 minutes', expires_at = now() - interval '1 minute'
 where state_hash = extensions.digest(:'state2', 'sha256');
select set_config('crmsync.token_key', :'key', true) \g /dev/null
set local role crmsync_worker;
select t.eq((select outcome || '|' || coalesce(code_verifier, '-') from public.consume_calendar_connect(:'state2')), 'expired|-', 'expired state');
select t.eq((select outcome from public.consume_calendar_connect(:'state2')), 'used', 'an expired state is spent too');
reset role;
select t.eq((select outcome from public.oauth_connect_states where state_hash = extensions.digest(:'state2', 'sha256')), 'state_expired',
            'the expired state records its outcome');
commit;

\echo '== 4. consume: needs the key; a state from before a key rotation is invalid'
begin;
set local role crmsync_worker;
select t.fails($$select * from public.consume_calendar_connect('state-three-0123456789abcdef0123456789abcdef')$$, 'CSK01', 'no key in the transaction');
reset role;
select set_config('crmsync.token_key', :'key', true) \g /dev/null
set local role authenticated;
select t.as_user(:'bob', :'acme') \g /dev/null
select t.eq((select count(*) from public.begin_calendar_connect('google', :'state3', :'verifier')), 1::bigint, 'bob begins');
select set_config('crmsync.token_key', 'another-key-0123456789abcdef0123456789', true) \g /dev/null
set local role crmsync_worker;
select t.eq((select outcome from public.consume_calendar_connect(:'state3')), 'invalid', 'state encrypted under a retired key');
rollback;

\echo '== 5. finish: the owner records the outcome; reconnecting clears needs_reauth'
begin;
select set_config('crmsync.token_key', :'key', true) \g /dev/null
update public.calendar_accounts set connection_status = 'needs_reauth', last_error = 'grant revoked', consecutive_failures = 3
 where id = :'acc_alice';
create temp table s1 on commit drop as
  select id from public.oauth_connect_states where state_hash = extensions.digest(:'state1', 'sha256');
grant select on s1 to public;
set local role crmsync_worker;
select t.as_user(:'bob', :'acme') \g /dev/null
select t.fails(format('select public.finish_calendar_connect(%L, %L, null)', (select id from s1), 'access_denied'), '42501', 'bob cannot finish alice''s flow');
select t.fails(format('select public.finish_calendar_connect(%L, %L, %L)', (select id from s1), 'connected', :'acc_bob'), '42501', 'bob cannot finish with his account on alice''s state');
select t.as_user(:'alice', :'acme') \g /dev/null
select t.fails(format('select public.finish_calendar_connect(%L, %L, %L)', (select id from s1), 'connected', :'acc_bob'), '42501', 'alice cannot attach bob''s account');
select t.fails(format('select public.finish_calendar_connect(%L, %L, null)', (select id from s1), 'connected'), '22023', 'connected needs an account');
select public.finish_calendar_connect((select id from s1), 'connected', :'acc_alice');
select t.eq((select connection_status || '|' || consecutive_failures || '|' || coalesce(last_error, '-') from public.calendar_accounts where id = :'acc_alice'),
            'connected|0|-', 'the reconnected account is connected again, failures and error cleared');
select t.fails(format('select public.finish_calendar_connect(%L, %L, null)', (select id from s1), 'access_denied'), '42501', 'finished once only');
reset role;
select t.eq((select outcome || '|' || calendar_account_id from public.oauth_connect_states where id = (select id from s1)),
            'connected|' || :'acc_alice', 'the state records the account');
rollback;

\echo '== 6. begin purges states older than a day; at most 20 pending per person'
begin;
update public.oauth_connect_states set created_at = now() - interval '25 hours', expires_at = now() - interval '24 hours'
 where state_hash = extensions.digest(:'state1', 'sha256');
select set_config('crmsync.token_key', :'key', true) \g /dev/null
set local role authenticated;
select t.as_user(:'bob', :'acme') \g /dev/null
select count(*) from (select public.begin_calendar_connect('google', 'bulk-' || g || '-0123456789abcdef0123456789abcdef', :'verifier')
                        from generate_series(1, 20) g) x \g /dev/null
select t.fails($$select public.begin_calendar_connect('google', 'bulk-21-0123456789abcdef0123456789abcdef', 'verifier-0123456789abcdef0123456789abcdef-0123456789')$$, '54000', 'the 21st pending connect is refused');
reset role;
select t.eq((select count(*) from public.oauth_connect_states where state_hash = extensions.digest(:'state1', 'sha256')), 0::bigint,
            'a day-old state is purged');
select t.eq((select count(*) from public.oauth_connect_states where state_hash = extensions.digest(:'state2', 'sha256')), 1::bigint,
            'a younger state stays');
rollback;

drop schema t cascade;
