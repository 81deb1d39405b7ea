/*
 * 000_extensions.sql — schemas and extensions the rulebook builds on.
 *
 * Runs as the connecting admin (a superuser): extensions need it. pgcrypto lives in schema
 * `extensions` (as on Supabase) and every call is schema-qualified (extensions.digest, …), so
 * no search_path is ever trusted. Schema `auth` holds auth.uid() (created in 010 only where
 * Supabase has not shipped its own). Schema `private` is created in 010, once its owner exists.
 */
create schema if not exists extensions;
create extension if not exists pgcrypto with schema extensions;
create schema if not exists auth;

comment on schema extensions is 'Extensions (pgcrypto); referenced schema-qualified everywhere.';
comment on schema auth is 'Supabase-compatible identity: auth.uid() reads the request.jwt claims.';
