/*
 * demo/seed.sql — demo data for `crmsync seed-demo`. NOT a migration.
 *
 * Run in ONE transaction by a superuser (or a member of crmsync_owner) that already holds the
 * encryption key: select set_config('crmsync.token_key', '<key, >= 32 chars>', true).
 * Idempotent: fixed uuids and `on conflict do nothing`; secrets are (re-)stored through the
 * public store_* functions (each run adds audit rows, by design); the demo OAuth apps are set
 * with set_oauth_client() only where no app is registered, so one registered with
 * `crmsync oauth-client set` is never replaced.
 * Every plaintext secret starts with `demo-secret-` so tests can grep a dump for leaks.
 *
 * Fixed ids
 *   organizations   Acme Corp  10000000-0000-4000-8000-000000000001
 *                   Globex     20000000-0000-4000-8000-000000000001
 *   users           Alice (Acme owner)    10000000-0000-4000-8000-0000000000a1
 *                   Bob   (Acme member)   10000000-0000-4000-8000-0000000000b2
 *                   Gina  (Globex owner)  20000000-0000-4000-8000-0000000000a1
 *                   Hank  (Globex member) 20000000-0000-4000-8000-0000000000b2
 *   calendar accts  Alice google  10000000-0000-4000-8000-0000000c0001
 *                   Bob outlook   10000000-0000-4000-8000-0000000c0002
 *                   Gina google   20000000-0000-4000-8000-0000000c0001
 *                   Hank outlook  20000000-0000-4000-8000-0000000c0002 (needs_reauth, no tokens)
 *   email accts     Alice gmail   10000000-0000-4000-8000-0000000e0001
 *                   Bob outlook   10000000-0000-4000-8000-0000000e0002
 *                   Gina apple    20000000-0000-4000-8000-0000000e0001 (IMAP/SMTP, app password)
 *                   Hank imap     20000000-0000-4000-8000-0000000e0002 (IMAP/SMTP, password)
 *   appointments    <org prefix>-0000-4000-8000-0000000a00NN, NN = 01..08
 *   mappings        <org prefix>-0000-4000-8000-0000000d00NN
 *   sync log        <org prefix>-0000-4000-8000-0000000500NN
 *   email messages  <org prefix>-0000-4000-8000-0000000f00NN, attachments …-0000000f10NN
 */
set local role crmsync_owner;

insert into public.organizations (id, name) values
  ('10000000-0000-4000-8000-000000000001', 'Acme Corp'),
  ('20000000-0000-4000-8000-000000000001', 'Globex')
on conflict do nothing;

insert into public.user_organizations (organization_id, user_id, role) values
  ('10000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-0000000000a1', 'owner'),
  ('10000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-0000000000b2', 'member'),
  ('20000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-0000000000a1', 'owner'),
  ('20000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-0000000000b2', 'member')
on conflict do nothing;

-- 8 appointments per organization: #3 and #7 all-day, #6 and #8 soft-deleted.
insert into public.appointments (id, organization_id, owner_id, title, description, location,
                                 start_time, end_time, all_day, time_zone, deleted_at)
select format('%s-0000-4000-8000-0000000a%s', o.prefix, lpad(i::text, 4, '0'))::uuid,
       o.org_id,
       case when i % 2 = 1 then o.owner_user else o.member_user end,
       (o.titles)[i],
       'Demo appointment ' || i || ' of ' || o.name,
       case when i % 3 = 0 then null else o.name || ' HQ, room ' || i end,
       case when i in (3, 7) then date_trunc('day', now()) + (i - 2) * interval '1 day'
            else date_trunc('day', now()) + (i - 2) * interval '1 day' + interval '9 hours' + (i % 4) * interval '1 hour' end,
       case when i in (3, 7) then date_trunc('day', now()) + (i - 1) * interval '1 day'
            else date_trunc('day', now()) + (i - 2) * interval '1 day' + interval '10 hours' + (i % 4) * interval '1 hour' end,
       i in (3, 7),
       o.time_zone,
       case when i in (6, 8) then now() - interval '1 hour' end
  from (values
          ('10000000', '10000000-0000-4000-8000-000000000001'::uuid, 'Acme Corp',
           '10000000-0000-4000-8000-0000000000a1'::uuid, '10000000-0000-4000-8000-0000000000b2'::uuid, 'Europe/Berlin',
           array['Kick-off with Initech', 'Pipeline review', 'Trade fair Hannover', 'Call with Wile E. Coyote',
                 'Quarterly planning', 'Cancelled: supplier visit', 'Team offsite', 'Cancelled: lunch & learn']),
          ('20000000', '20000000-0000-4000-8000-000000000001'::uuid, 'Globex',
           '20000000-0000-4000-8000-0000000000a1'::uuid, '20000000-0000-4000-8000-0000000000b2'::uuid, 'America/New_York',
           array['Demo for Hooli', 'Renewal: Umbrella Corp', 'Company holiday', 'Hiring sync',
                 'Board prep', 'Cancelled: vendor pitch', 'Conference day', 'Cancelled: 1:1'])
       ) as o (prefix, org_id, name, owner_user, member_user, time_zone, titles)
 cross join generate_series(1, 8) as i
on conflict do nothing;

insert into public.calendar_accounts (id, organization_id, user_id, provider, email, calendar_id, time_zone,
                                      connection_status, conflict_strategy, consecutive_failures,
                                      last_sync_at, last_sync_status, next_sync_at)
values
  ('10000000-0000-4000-8000-0000000c0001', '10000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-0000000000a1',
   'google', 'alice@acme.example', 'primary', 'Europe/Berlin', 'pending', 'latest_wins', 0,
   now() - interval '10 minutes', 'success', now() + interval '5 minutes'),
  ('10000000-0000-4000-8000-0000000c0002', '10000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-0000000000b2',
   'outlook', 'bob@acme.example', 'primary', 'Europe/Berlin', 'pending', 'manual', 1,
   now() - interval '2 hours', 'partial', now() + interval '5 minutes'),
  ('20000000-0000-4000-8000-0000000c0001', '20000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-0000000000a1',
   'google', 'gina@globex.example', 'primary', 'America/New_York', 'pending', 'crm_wins', 0,
   now() - interval '20 minutes', 'success', now() + interval '10 minutes'),
  ('20000000-0000-4000-8000-0000000c0002', '20000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-0000000000b2',
   'outlook', 'hank@globex.example', 'primary', 'America/New_York', 'needs_reauth', 'calendar_wins', 3,
   now() - interval '1 day', 'failed', null)
on conflict do nothing;

insert into public.email_accounts (id, organization_id, user_id, provider, email, display_name,
                                   imap_host, imap_port, imap_username, imap_use_tls,
                                   smtp_host, smtp_port, smtp_username, smtp_use_starttls, connection_status)
values
  ('10000000-0000-4000-8000-0000000e0001', '10000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-0000000000a1',
   'gmail', 'alice@acme.example', 'Alice Anders', null, null, null, true, null, null, null, true, 'pending'),
  ('10000000-0000-4000-8000-0000000e0002', '10000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-0000000000b2',
   'outlook', 'bob@acme.example', 'Bob Berger', null, null, null, true, null, null, null, true, 'pending'),
  ('20000000-0000-4000-8000-0000000e0001', '20000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-0000000000a1',
   'apple', 'gina@icloud.example', 'Gina Gomez', 'imap.mail.me.com', 993, 'gina@icloud.example', true,
   'smtp.mail.me.com', 587, 'gina@icloud.example', true, 'pending'),
  ('20000000-0000-4000-8000-0000000e0002', '20000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-0000000000b2',
   'imap', 'hank@globex.example', 'Hank Hill', 'imap.globex.example', 993, 'hank', true,
   'smtp.globex.example', 587, 'hank', true, 'pending')
on conflict do nothing;

-- Secrets, stored through the API under each owner's identity.
select set_config('request.jwt.claims', json_build_object('sub', '10000000-0000-4000-8000-0000000000a1')::text, true),
       set_config('app.org_id', '10000000-0000-4000-8000-000000000001', true);
select public.store_calendar_account_tokens('10000000-0000-4000-8000-0000000c0001',
         'demo-secret-alice-google-access', 'demo-secret-alice-google-refresh', now() + interval '1 hour');
select public.store_email_account_secrets('10000000-0000-4000-8000-0000000e0001', null,
         'demo-secret-alice-gmail-access', 'demo-secret-alice-gmail-refresh', now() + interval '1 hour');

select set_config('request.jwt.claims', json_build_object('sub', '10000000-0000-4000-8000-0000000000b2')::text, true),
       set_config('app.org_id', '10000000-0000-4000-8000-000000000001', true);
select public.store_calendar_account_tokens('10000000-0000-4000-8000-0000000c0002',
         'demo-secret-bob-outlook-access', 'demo-secret-bob-outlook-refresh', now() - interval '30 minutes');
select public.store_email_account_secrets('10000000-0000-4000-8000-0000000e0002', null,
         'demo-secret-bob-outlook-mail-access', 'demo-secret-bob-outlook-mail-refresh', now() + interval '45 minutes');

select set_config('request.jwt.claims', json_build_object('sub', '20000000-0000-4000-8000-0000000000a1')::text, true),
       set_config('app.org_id', '20000000-0000-4000-8000-000000000001', true);
select public.store_calendar_account_tokens('20000000-0000-4000-8000-0000000c0001',
         'demo-secret-gina-google-access', 'demo-secret-gina-google-refresh', now() + interval '50 minutes');
select public.store_email_account_secrets('20000000-0000-4000-8000-0000000e0001',
         'demo-secret-gina-icloud-app-password', null, null, null);

select set_config('request.jwt.claims', json_build_object('sub', '20000000-0000-4000-8000-0000000000b2')::text, true),
       set_config('app.org_id', '20000000-0000-4000-8000-000000000001', true);
select public.store_email_account_secrets('20000000-0000-4000-8000-0000000e0002',
         'demo-secret-hank-imap-password', null, null, null);

-- Platform OAuth apps, and Globex's own Google app (preferred for Globex). Only where none is
-- registered: an app stored with `crmsync oauth-client set` (before or after a first seed) is
-- the operator's and is kept, whoever registered it.
select public.set_oauth_client(v.provider, v.client_id, v.client_secret, v.organization_id)
  from (values ('google', 'demo-platform.apps.googleusercontent.com', 'demo-secret-platform-google-client-secret', null::uuid),
               ('microsoft', '00000000-demo-platform-msft-client', 'demo-secret-platform-microsoft-client-secret', null::uuid),
               ('google', 'demo-globex.apps.googleusercontent.com', 'demo-secret-globex-google-client-secret',
                '20000000-0000-4000-8000-000000000001'::uuid)) as v (provider, client_id, client_secret, organization_id)
 where not exists (select 1 from public.oauth_secrets o
                    where o.organization_id is not distinct from v.organization_id and o.provider = v.provider);

-- Mappings: the first five live appointments of each organization, on the owner user's account
-- (odd) or the member's (even); one conflict, one error.
insert into public.calendar_event_mappings (id, organization_id, appointment_id, calendar_account_id,
                                            external_event_id, etag, sync_status, sync_direction,
                                            last_synced, error_message)
select format('%s-0000-4000-8000-0000000d%s', o.prefix, lpad(i::text, 4, '0'))::uuid,
       o.org_id,
       format('%s-0000-4000-8000-0000000a%s', o.prefix, lpad(i::text, 4, '0'))::uuid,
       format('%s-0000-4000-8000-0000000c%s', o.prefix, case when i % 2 = 1 then '0001' else '0002' end)::uuid,
       format('demo-evt-%s-%s', o.prefix, i),
       format('"etag-%s-%s"', o.prefix, i),
       case i when 4 then 'conflict' when 5 then 'error' else 'synced' end,
       case when i % 2 = 1 then 'export' else 'import' end,
       now() - i * interval '10 minutes',
       case when i = 5 then 'provider returned 404 for the event' end
  from (values ('10000000', '10000000-0000-4000-8000-000000000001'::uuid),
               ('20000000', '20000000-0000-4000-8000-000000000001'::uuid)) as o (prefix, org_id)
 cross join generate_series(1, 5) as i
on conflict do nothing;

-- Sync runs: per organization a success, a partial, a failed and a running one.
insert into public.calendar_sync_log (id, organization_id, calendar_account_id, sync_type, sync_direction,
                                      events_imported, events_exported, events_updated, events_deleted, errors,
                                      status, error_details, started_at, completed_at)
select format('%s-0000-4000-8000-00000005%s', o.prefix, lpad(r.n::text, 4, '0'))::uuid,
       o.org_id,
       format('%s-0000-4000-8000-0000000c%s', o.prefix, r.account)::uuid,
       r.sync_type, r.direction, r.imported, r.exported, r.updated, r.deleted, r.errors, r.status,
       r.details::jsonb,
       now() - r.ago,
       case when r.status <> 'running' then now() - r.ago + interval '40 seconds' end
  from (values ('10000000', '10000000-0000-4000-8000-000000000001'::uuid),
               ('20000000', '20000000-0000-4000-8000-000000000001'::uuid)) as o (prefix, org_id)
 cross join (values
   (1, '0001', 'auto', 'bidirectional', 4, 2, 1, 0, 0, 'success', '[]', interval '10 minutes'),
   (2, '0002', 'webhook', 'import', 3, 0, 2, 1, 1, 'partial',
    '[{"code": "rate_limited", "message": "429 from provider, retried later"}]', interval '2 hours'),
   (3, '0002', 'manual', 'export', 0, 0, 0, 0, 1, 'failed',
    '[{"code": "invalid_grant", "message": "refresh token revoked"}]', interval '1 day'),
   (4, '0001', 'auto', 'bidirectional', 0, 0, 0, 0, 0, 'running', '[]', interval '1 minute')
 ) as r (n, account, sync_type, direction, imported, exported, updated, deleted, errors, status, details, ago)
on conflict do nothing;

-- A few messages per organization (owner's mailbox: 2, member's: 1) and attachments. The subject
-- and body of each live in their own tables (sharing levels), with their search vectors.
create temporary table demo_mail on commit drop as
select format('%s-0000-4000-8000-0000000f%s', o.prefix, lpad(m.n::text, 4, '0'))::uuid as id,
       o.org_id,
       format('%s-0000-4000-8000-0000000e%s', o.prefix, m.account)::uuid as account_id,
       o.prefix, m.*
  from (values ('10000000', '10000000-0000-4000-8000-000000000001'::uuid),
               ('20000000', '20000000-0000-4000-8000-000000000001'::uuid)) as o (prefix, org_id)
 cross join (values
   (1, '0001', 'customer@initech.example', array['owner@demo.example'], 'Proposal attached',
    'Please find our signed proposal attached.', array['INBOX', 'IMPORTANT'], 'inbound'),
   (2, '0001', 'owner@demo.example', array['customer@initech.example'], 'Re: Proposal attached',
    'Thanks, we will review it this week.', array['SENT'], 'outbound'),
   (3, '0002', 'newsletter@vendor.example', array['member@demo.example'], 'Your monthly digest',
    'Here is what happened this month.', array['INBOX'], 'inbound')
 ) as m (n, account, from_address, to_addresses, subject, body, labels, direction);

insert into public.email_messages (id, organization_id, email_account_id, provider_message_id, thread_id,
                                   internet_message_id, from_address, to_addresses, cc_addresses,
                                   received_at, is_read, has_attachments, labels, direction)
select d.id, d.org_id, d.account_id,
       format('demo-msg-%s-%s', d.prefix, d.n),
       format('demo-thread-%s-%s', d.prefix, (d.n + 1) / 2),
       format('<demo-%s-%s@mail.example>', d.prefix, d.n),
       d.from_address, d.to_addresses, '{}',
       now() - d.n * interval '3 hours', d.n = 1, d.n = 1, d.labels, d.direction
  from demo_mail d
on conflict do nothing;

insert into public.email_message_subjects (organization_id, email_account_id, email_message_id, subject, search)
select d.org_id, d.account_id, d.id, d.subject, m.search || to_tsvector('simple', d.subject)
  from demo_mail d
  join public.email_messages m on m.organization_id = d.org_id and m.id = d.id
on conflict do nothing;

insert into public.email_message_bodies (organization_id, email_account_id, email_message_id, snippet, body_text, search)
select d.org_id, d.account_id, d.id, left(d.body, 60), d.body,
       m.search || to_tsvector('simple', d.subject) || to_tsvector('simple', d.body)
  from demo_mail d
  join public.email_messages m on m.organization_id = d.org_id and m.id = d.id
on conflict do nothing;

insert into public.email_attachments (id, organization_id, email_account_id, email_message_id, filename,
                                      content_type, size_bytes, provider_attachment_id, content_id)
select format('%s-0000-4000-8000-0000000f%s', o.prefix, lpad((1000 + a.n)::text, 4, '0'))::uuid,
       o.org_id,
       format('%s-0000-4000-8000-0000000e0001', o.prefix)::uuid,
       format('%s-0000-4000-8000-0000000f0001', o.prefix)::uuid,
       a.filename, a.content_type, a.size_bytes, format('demo-att-%s-%s', o.prefix, a.n), a.content_id
  from (values ('10000000', '10000000-0000-4000-8000-000000000001'::uuid),
               ('20000000', '20000000-0000-4000-8000-000000000001'::uuid)) as o (prefix, org_id)
 cross join (values
   (1, 'proposal.pdf', 'application/pdf', 248113::bigint, null),
   (2, 'logo.png', 'image/png', 5120::bigint, 'logo@demo')
 ) as a (n, filename, content_type, size_bytes, content_id)
on conflict do nothing;

-- No identity survives the seed.
select set_config('request.jwt.claims', '', true), set_config('app.org_id', '', true);
reset role;
