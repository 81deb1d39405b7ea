/*
 * 305_oauth_client_rejections.sql — a provider's refusal of an OAuth client, on the client.
 *
 * When a provider refuses crmsync's OAuth client itself (invalid_client / unauthorized_client,
 * e.g. Microsoft's AADSTS7000215 after a client secret expired) the accounts are not the
 * problem and must not be marked needs_reauth (reconnecting would fail the same way): the
 * refusal is recorded once on the client (public.report_oauth_client_rejected), shown to the
 * operator (public.oauth_client_status), waited out by the accounts
 * (public.finish_calendar_sync) and cleared by storing the client again
 * (public.set_oauth_client), which makes the waiting accounts due at once.
 */
set local role crmsync_owner;

alter table public.oauth_secrets add column if not exists rejected_at timestamptz;
alter table public.oauth_secrets add column if not exists rejected_reason text;
comment on column public.oauth_secrets.rejected_at is
  'When a provider last refused this OAuth client (invalid_client…); null when not refused since it was set.';
comment on column public.oauth_secrets.rejected_reason is 'The OAuth error of that refusal (no secret).';
