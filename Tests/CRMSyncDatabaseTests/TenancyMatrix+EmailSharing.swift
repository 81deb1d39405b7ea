import CRMSyncDatabase
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

// Tenancy matrix cases for the mail tiers (email_message_subjects, email_message_bodies,
// email_message_participants) and for each sharing level of a mailbox: what another member of
// the organization reads of alice's mail through every table, the view and every function, at
// private, metadata, subject and full; outsiders read nothing at any level.

extension TenancyMatrixTests {
    /// (table, alice's rows in it) of the seed: 2 messages, 4 participant rows.
    static let mailTiers: [(table: String, aliceRows: Int)] = [
        ("email_message_subjects", 2), ("email_message_bodies", 2), ("email_message_participants", 4),
    ]

    /// The tiers at the seed's level (every mailbox private).
    static var mailTierCases: [MatrixCase] {
        var cases: [MatrixCase] = []
        for (table, aliceRows) in Self.mailTiers {
            var m = MatrixCases(table)
            let t = "public." + table
            let alices: SQL = "select 1 from \(unescaped: t) where email_account_id = \(Demo.aliceEmail)"
            let bobs: SQL = "select 1 from \(unescaped: t) where email_account_id = \(Seed.bobEmail)"
            m.add(.select, [.alice, .workerAlice], "owner reads own mailbox's rows", alices, .rows(aliceRows))
            m.add(.select, [.bob, .workerBob], "member reads alice's private mailbox", alices, .noRows)
            m.add(.select, .alice, "org owner reads bob's private mailbox (no admin reach)", bobs, .noRows)
            m.add(.select, MatrixActor.outsidersOfAcme + MatrixActor.workerOutsidersOfAcme, "read Acme's mail",
                  "select 1 from \(unescaped: t) where organization_id = \(Demo.acme)", .noRows)

            let keyColumn = table == "email_message_participants" ? "address" : "email_account_id"
            let plant: SQL = table == "email_message_participants"
                ? """
                  insert into public.email_message_participants (organization_id, address, email_message_id,
                                                                 email_account_id, role, listed_at)
                  values (\(Demo.acme), 'planted@evil.example', \(Seed.aliceMessage), \(Demo.aliceEmail), 'cc', now())
                  """
                : """
                  insert into \(unescaped: t) (organization_id, email_account_id, email_message_id, search)
                  values (\(Demo.acme), \(Demo.aliceEmail), \(Seed.new1), ''::tsvector)
                  """
            m.add(.insert, [.alice, .bob] + MatrixActor.outsidersOfAcme, "a person writes mail content", plant, .denied)
            m.add(.insert, [.workerBob] + MatrixActor.workerOutsidersOfAcme, "worker plants rows in alice's mailbox",
                  plant, .denied)

            let rewrite: SQL = "update \(unescaped: t) set \(unescaped: keyColumn) = \(unescaped: keyColumn) where email_account_id = \(Demo.aliceEmail)"
            m.add(.update, [.alice, .bob] + MatrixActor.outsidersOfAcme, "a person rewrites mail content", rewrite,
                  .denied)
            if table == "email_message_participants" {
                m.add(.update, .workerAlice, "worker rewrites participants (only the trigger does)", rewrite, .denied)
            } else {
                m.add(.update, .workerAlice, "worker rewrites own mailbox's rows", rewrite, .rows(aliceRows))
                m.add(.update, [.workerBob] + MatrixActor.workerOutsidersOfAcme, "worker rewrites alice's rows",
                      rewrite, .noRows)
            }

            let remove: SQL = "delete from \(unescaped: t) where email_account_id = \(Demo.aliceEmail)"
            m.add(.delete, [.alice, .bob] + MatrixActor.outsidersOfAcme, "a person deletes mail content", remove,
                  .denied)
            if table == "email_message_participants" {
                m.add(.delete, .workerAlice, "worker deletes participants (only the trigger does)", remove, .denied)
            } else {
                m.add(.delete, [.workerBob] + MatrixActor.workerOutsidersOfAcme, "worker deletes alice's rows", remove,
                      .noRows)
            }
            cases += m.cases
        }
        return cases
    }

    @Test("email_message_subjects, email_message_bodies, email_message_participants")
    func emailMailTiers() async throws {
        try await TestDatabase.with("tm_mail_tiers") { database in
            _ = try await Self.run(Self.mailTierCases, on: database)
        }
    }

    // MARK: sharing levels

    static let sharingLevels = ["private", "metadata", "subject", "full"]

    /// What bob (another member of Acme) and the outsiders read of alice's mailbox shared at `level`.
    static func sharingCases(_ level: String) -> [MatrixCase] {
        let rank = Self.sharingLevels.firstIndex(of: level)!
        let metadata = rank >= 1, subject = rank >= 2, full = rank >= 3
        let alice = Demo.aliceEmail, message = Seed.aliceMessage
        func seen(_ visible: Bool, _ rows: Int) -> MatrixOutcome { visible ? .rows(rows) : .noRows }
        var m = MatrixCases("sharing(\(level))")

        m.add(.select, .bob, "metadata of alice's mail", "select id from public.email_messages where email_account_id = \(alice)",
              seen(metadata, 2), table: "email_messages")
        m.add(.select, .bob, "participants of alice's mail",
              "select 1 from public.email_message_participants where address = 'customer@initech.example' and email_account_id = \(alice)",
              seen(metadata, 2), table: "email_message_participants")
        m.add(.select, .bob, "subjects of alice's mail",
              "select subject from public.email_message_subjects where email_account_id = \(alice)",
              seen(subject, 2), table: "email_message_subjects")
        m.add(.select, .bob, "bodies of alice's mail",
              "select body_text from public.email_message_bodies where email_account_id = \(alice)",
              seen(full, 2), table: "email_message_bodies")
        m.add(.select, .bob, "attachments of alice's mail",
              "select filename from public.email_attachments where email_message_id = \(message)",
              seen(full, 2), table: "email_attachments")

        // the view: the row at the level, hidden columns null; the owner's read state is theirs
        let view = "email_messages_visible"
        m.add(.view, .bob, "subject through the view", "select subject from public.email_messages_visible where id = \(message)",
              metadata ? .value(subject ? "Proposal attached" : nil) : .noRows, table: view)
        m.add(.view, .bob, "body through the view",
              "select body_text from public.email_messages_visible where id = \(message)",
              metadata ? .value(full ? "Please find our signed proposal attached." : nil) : .noRows, table: view)
        m.add(.view, .bob, "snippet through the view",
              "select snippet from public.email_messages_visible where id = \(message)",
              metadata ? .value(full ? "Please find our signed proposal attached." : nil) : .noRows, table: view)
        m.add(.view, .bob, "alice's read state through the view",
              "select is_read::text from public.email_messages_visible where id = \(message)",
              metadata ? .value(nil) : .noRows, table: view)
        m.add(.view, .bob, "access level through the view",
              "select access from public.email_messages_visible where id = \(message)",
              metadata ? .value(level) : .noRows, table: view)
        m.add(.view, .alice, "the owner sees everything of her own mail",
              "select body_text from public.email_messages_visible where id = \(message)",
              .value("Please find our signed proposal attached."), table: view)

        // search matches only what the reader may see: a body word, a subject word, an address
        let search = "search_email_messages"
        m.add(.function, .bob, "search a word of alice's body",
              "select id from public.search_email_messages('signed', \(alice))", seen(full, 1), table: search)
        m.add(.function, .bob, "search a word of alice's subjects",
              "select id from public.search_email_messages('proposal -signed', \(alice))", seen(subject, full ? 1 : 2),
              table: search)
        m.add(.function, .bob, "search a participant of alice's mail",
              "select id from public.search_email_messages('initech', \(alice))", seen(metadata, 2), table: search)
        m.add(.function, .bob, "search a subject and a participant together",
              "select id from public.search_email_messages('initech proposal', \(alice))", seen(subject, 2), table: search)
        m.add(.function, .alice, "the owner searches her bodies",
              "select id from public.search_email_messages('signed')", .rows(1), table: search)
        m.add(.function, .bob, "the shared mailboxes",
              "select id from public.shared_email_accounts()", .rows(metadata ? 2 : 1), table: "shared_email_accounts")

        // outsiders read nothing at any level, through anything
        let outsiders = MatrixActor.outsidersOfAcme
        m.add(.view, outsiders, "read alice's mail through the view",
              "select id from public.email_messages_visible where email_account_id = \(alice)", .noRows, table: view)
        m.add(.function, outsiders, "search alice's mail",
              "select id from public.search_email_messages('proposal', \(alice))", .noRows, table: search)
        m.add(.function, outsiders, "list Acme's shared mailboxes",
              "select id from public.shared_email_accounts() where id = \(alice)", .noRows, table: "shared_email_accounts")
        for table in ["email_messages", "email_message_subjects", "email_message_bodies", "email_attachments",
                      "email_message_participants"] {
            m.add(.select, outsiders, "read alice's mail", "select 1 from public.\(unescaped: table) where email_account_id = \(alice)",
                  .noRows, table: table)
        }

        // only the owner sets the level: not another member, not the org owner for bob's mailbox
        let widen: SQL = "update public.email_accounts set sharing_level = 'full' where id = \(alice)"
        m.add(.update, .bob, "change alice's sharing level", widen, .noRows, table: "email_accounts")
        m.add(.update, .workerBob, "worker changes a sharing level (column not granted)", widen, .denied,
              table: "email_accounts")
        m.add(.update, .alice, "org owner widens bob's mailbox",
              "update public.email_accounts set sharing_level = 'full' where id = \(Seed.bobEmail)", .noRows,
              table: "email_accounts")
        m.add(.update, .bob, "member writes alice's read state",
              "update public.email_messages set is_read = true where email_account_id = \(alice)", .noRows,
              table: "email_messages")
        m.add(.delete, .bob, "member deletes alice's shared mail",
              "delete from public.email_messages where email_account_id = \(alice)", .noRows, table: "email_messages")
        m.add(.update, .alice, "owner sets her own level",
              "update public.email_accounts set sharing_level = 'subject' where id = \(alice)", .rows(1),
              table: "email_accounts")
        return m.cases
    }

    @Test("a mailbox shared at each level shows another member exactly that much", arguments: sharingLevels)
    func sharingLevel(_ level: String) async throws {
        try await TestDatabase.with("tm_share_\(level)") { database in
            let admin = try await database.adminConnection()
            try await admin.query("update public.email_accounts set sharing_level = \(level) where id = \(Demo.aliceEmail)")
            _ = try await Self.run(Self.sharingCases(level), on: database)
        }
    }
}
