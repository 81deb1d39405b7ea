import CRMSyncDatabase
import Foundation
import PostgresClient

/// A throwaway organization the benchmark works in, removed (with everything in it, by
/// cascade) when the run ends. Nothing of any other tenant is touched. Each account gets its
/// own person, so one account's appointments are never another's exports.
struct BenchmarkFixture: Sendable {
    let organization: UUID

    static func create(on admin: PostgresConnection) async throws -> BenchmarkFixture {
        let organization = UUID()
        try await admin.query(
            "insert into public.organizations (id, name) values (\(organization), \("crmsync bench \(organization.uuidString.prefix(8))"))")
        return BenchmarkFixture(organization: organization)
    }

    /// A new member of the organization.
    func person(on admin: PostgresConnection) async throws -> Identity {
        let user = UUID()
        try await admin.query(
            "insert into public.user_organizations (organization_id, user_id, role) values (\(self.organization), \(user), 'member')")
        return Identity(userID: user, organizationID: self.organization)
    }

    /// A calendar account row without tokens (enough for the import path), owned by `owner`.
    func account(named name: String, owner: Identity, on admin: PostgresConnection) async throws -> UUID {
        let row = try await admin.query(
            """
            insert into public.calendar_accounts (organization_id, user_id, provider, email)
            values (\(self.organization), \(owner.userID), 'google', \("\(name)-\(UUID().uuidString.prefix(8))@bench.example"))
            returning id
            """)
        guard let id = try row.first?.decode(UUID.self, at: 0) else { throw BenchmarkError("could not create a bench account") }
        return id
    }

    func drop(on admin: PostgresConnection) async throws {
        try await admin.query("delete from public.organizations where id = \(self.organization)")
    }
}

/// `count` synthetic events in the JSON shape `public.import_calendar_events` reads, in pages.
/// `revision` 1 is the first version of every event; a higher one changes each event's title
/// and etag (the import then updates every appointment).
struct BenchmarkEvents {
    let pages: [PostgresJSON]
    let count: Int

    init(count: Int, pageSize: Int, revision: Int = 1, withAppointmentIDs: Bool = false) {
        let base = Date(timeIntervalSince1970: 1_790_000_000)
        let suffix = revision == 1 ? "" : " (v\(revision))"
        var pages: [PostgresJSON] = []
        var items: [String] = []
        for index in 0..<count {
            let start = base.addingTimeInterval(Double(index) * 3_600)
            let end = start.addingTimeInterval(1_800)
            let appointment = withAppointmentIDs ? #""appointment_id":"\#(UUID().uuidString.lowercased())","# : ""
            items.append(
                #"{\#(appointment)"id":"bench\#(index)","etag":"\"e\#(revision)\"","status":"confirmed","#
                    + #""title":"Bench event \#(index)\#(suffix)","description":null,"location":"Room \#(index % 40)","all_day":false,"#
                    + #""start":"\#(start.postgresText ?? "")","end":"\#(end.postgresText ?? "")","time_zone":"UTC","#
                    + #""updated":"\#(start.postgresText ?? "")"}"#)
            if items.count == pageSize || index == count - 1 {
                pages.append(PostgresJSON(text: "[" + items.joined(separator: ",") + "]"))
                items.removeAll(keepingCapacity: true)
            }
        }
        self.pages = pages
        self.count = count
    }
}
