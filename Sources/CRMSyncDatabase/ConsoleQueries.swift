/// The console queries of the CRM's calendar-sync documentation, verbatim: DBAs paste them
/// into psql, so the schema keeps every name they use. The demo prints them with results.
public enum ConsoleQueries {
    /// The monitoring views (sql/), each with the statement that reads all of it.
    public static let monitoringViews: [(name: String, sql: String)] =
        [
            "calendar_account_health", "recent_sync_errors", "organization_sync_volume", "oauth_client_status",
            "email_account_health", "recent_email_sync_errors",
        ].map { ($0, "select * from public.\($0)") }

    public static let all: [(title: String, sql: String)] = [
        (
            "Recent sync runs",
            """
            SELECT csl.created_at, ca.email, ca.provider, csl.sync_type, csl.sync_direction,
              csl.events_imported, csl.events_exported, csl.events_updated, csl.errors, csl.status
            FROM calendar_sync_log csl JOIN calendar_accounts ca ON csl.calendar_account_id = ca.id
            ORDER BY csl.created_at DESC LIMIT 20;
            """
        ),
        (
            "Appointments and their calendar events",
            """
            SELECT a.title, a.start_time, ca.email, ca.provider, cem.external_event_id,
              cem.sync_status, cem.last_synced
            FROM appointments a JOIN calendar_event_mappings cem ON a.id = cem.appointment_id
            JOIN calendar_accounts ca ON cem.calendar_account_id = ca.id ORDER BY a.start_time DESC;
            """
        ),
        (
            "Calendar tables",
            """
            SELECT table_name FROM information_schema.tables
            WHERE table_schema = 'public' AND table_name LIKE 'calendar%';
            """
        ),
        (
            "Calendar policies",
            """
            SELECT tablename, policyname FROM pg_policies WHERE tablename LIKE 'calendar%';
            """
        ),
    ]
}
