/*
 * private.email_folder_cursor.sql — parses and checks the folder cursor that
 * import_email_messages and apply_email_folder_changes write with their batch:
 * {uidvalidity, last_uid, highestmodseq, full_scan}. Null cursor = no row. A uidvalidity other
 * than the folder's stored one is refused (55000: the folder must be reset first), so UIDs of
 * one UIDVALIDITY never land under another.
 */
set local role crmsync_owner;

create or replace function private.email_folder_cursor(p_cursor jsonb, p_stored_uidvalidity bigint)
returns table (uidvalidity bigint, last_uid bigint, highestmodseq bigint, full_scan boolean)
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_cursor is null or jsonb_typeof(p_cursor) = 'null' then
    return;
  end if;
  if jsonb_typeof(p_cursor) <> 'object' then
    raise exception 'p_cursor must be a JSON object {uidvalidity, last_uid, highestmodseq}' using errcode = '22023';
  end if;
  if coalesce(jsonb_typeof(p_cursor -> 'uidvalidity'), 'null') not in ('number', 'null')
     or coalesce(jsonb_typeof(p_cursor -> 'last_uid'), 'null') not in ('number', 'null')
     or coalesce(jsonb_typeof(p_cursor -> 'highestmodseq'), 'null') not in ('number', 'null')
     or coalesce(jsonb_typeof(p_cursor -> 'full_scan'), 'null') not in ('boolean', 'null') then
    raise exception 'p_cursor: uidvalidity, last_uid and highestmodseq must be numbers, full_scan a boolean'
      using errcode = '22023';
  end if;
  begin
    uidvalidity   := (p_cursor ->> 'uidvalidity')::bigint;
    last_uid      := (p_cursor ->> 'last_uid')::bigint;
    highestmodseq := (p_cursor ->> 'highestmodseq')::bigint;
  exception when data_exception then
    raise exception 'p_cursor: uidvalidity, last_uid and highestmodseq must be whole numbers' using errcode = '22023';
  end;
  full_scan := coalesce((p_cursor ->> 'full_scan')::boolean, false);
  if uidvalidity <= 0 or last_uid < 0 or highestmodseq < 0 then
    raise exception 'p_cursor: uidvalidity must be positive, last_uid and highestmodseq not negative' using errcode = '22023';
  end if;
  if uidvalidity is not null and p_stored_uidvalidity is not null and uidvalidity <> p_stored_uidvalidity then
    raise exception 'UIDVALIDITY of the folder changed (% stored, % given): reset_email_folder first',
      p_stored_uidvalidity, uidvalidity using errcode = '55000';
  end if;
  return next;
end
$$;
comment on function private.email_folder_cursor(jsonb, bigint) is
  'Parses and checks a folder cursor {uidvalidity, last_uid, highestmodseq, full_scan} (22023 when malformed, 55000 when uidvalidity differs from the stored one); no row for a null cursor.';
revoke execute on function private.email_folder_cursor(jsonb, bigint) from public;
grant execute on function private.email_folder_cursor(jsonb, bigint) to crmsync_worker;
