/// The console queries of the CRM's calendar-sync documentation, verbatim, and their mail twins:
/// DBAs paste them into psql, so the schema keeps every name they use. The demo prints them with results.
public enum ConsoleQueries {
    /// The monitoring views (sql/), each with the statement that reads all of it.
    public static let monitoringViews: [(name: String, sql: String)] =
        [
            "calendar_account_health", "recent_sync_errors", "organization_sync_volume", "oauth_client_status",
            "email_account_health", "recent_email_sync_errors", "organization_mail_volume",
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
        (
            "Recent mail sync runs",
            """
            SELECT esl.started_at, ea.email, ea.provider, esl.sync_type, esl.messages_imported,
              esl.messages_updated, esl.messages_deleted, esl.errors, esl.status
            FROM email_sync_log esl JOIN email_accounts ea ON esl.email_account_id = ea.id
            ORDER BY esl.started_at DESC LIMIT 20;
            """
        ),
        (
            "Messages and their mailboxes (subject and body as each reader may see them)",
            """
            SELECT emv.listed_at, ea.email, ea.sharing_level, emv.from_address, emv.subject, emv.access
            FROM email_messages_visible emv JOIN email_accounts ea ON emv.email_account_id = ea.id
            ORDER BY emv.listed_at DESC LIMIT 20;
            """
        ),
        (
            "All mail with one contact",
            """
            SELECT emp.address, emp.role, emv.listed_at, emv.subject
            FROM email_message_participants emp
            JOIN email_messages_visible emv ON emp.email_message_id = emv.id
            WHERE emp.address = 'customer@initech.example' ORDER BY emp.listed_at DESC;
            """
        ),
        (
            "Outbox by status",
            """
            SELECT ea.email, eo.status, count(*) AS messages, max(eo.last_error) AS a_last_error
            FROM email_outbox eo JOIN email_accounts ea ON eo.email_account_id = ea.id
            GROUP BY ea.email, eo.status ORDER BY ea.email, eo.status;
            """
        ),
        (
            "Mail policies",
            """
            SELECT tablename, policyname FROM pg_policies WHERE tablename LIKE 'email%' ORDER BY 1, 2;
            """
        ),
    ]
}
