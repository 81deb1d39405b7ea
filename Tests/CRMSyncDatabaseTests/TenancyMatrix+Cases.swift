import CRMSyncTestSupport
import CRMSyncDatabase
import Foundation
import PostgresClient
import Testing

// The vocabulary of the tenancy matrix: who acts, what they try, what must happen.
// TenancyMatrixTests.swift holds the cases and the runner.

/// Who runs a statement: an identity (or none) and the role switched to.
struct MatrixActor: Sendable, CustomStringConvertible {
    var name: String
    var identity: Identity?
    var role: SessionRole

    var description: String { self.name }

    // People in their own organization.
    static let alice = MatrixActor(name: "alice@acme(owner)", identity: Demo.aliceAtAcme, role: .authenticated)
    static let bob = MatrixActor(name: "bob@acme(member)", identity: Demo.bobAtAcme, role: .authenticated)
    static let gina = MatrixActor(name: "gina@globex(owner)", identity: Demo.ginaAtGlobex, role: .authenticated)
    static let hank = MatrixActor(name: "hank@globex(member)", identity: Demo.hankAtGlobex, role: .authenticated)
    // Nobody, and forged identities: app.org_id of an organization the user does not belong to.
    static let nobody = MatrixActor(name: "no-identity", identity: nil, role: .authenticated)
    static let hankForgingAcme = MatrixActor(
        name: "hank-with-org=acme(forged)", identity: Identity(userID: Demo.hank, organizationID: Demo.acme),
        role: .authenticated)
    static let aliceForgingGlobex = MatrixActor(
        name: "alice-with-org=globex(forged)", identity: Identity(userID: Demo.alice, organizationID: Demo.globex),
        role: .authenticated)
    // The worker role, always under one user's identity.
    static let workerAlice = MatrixActor(name: "worker:alice@acme", identity: Demo.aliceAtAcme, role: .worker)
    static let workerBob = MatrixActor(name: "worker:bob@acme", identity: Demo.bobAtAcme, role: .worker)
    static let workerHank = MatrixActor(name: "worker:hank@globex", identity: Demo.hankAtGlobex, role: .worker)
    static let workerGina = MatrixActor(name: "worker:gina@globex", identity: Demo.ginaAtGlobex, role: .worker)
    static let workerNobody = MatrixActor(name: "worker:no-identity", identity: nil, role: .worker)
    static let workerHankForgingAcme = MatrixActor(
        name: "worker:hank-with-org=acme(forged)", identity: Identity(userID: Demo.hank, organizationID: Demo.acme),
        role: .worker)
    static let workerAliceForgingGlobex = MatrixActor(
        name: "worker:alice-with-org=globex(forged)",
        identity: Identity(userID: Demo.alice, organizationID: Demo.globex), role: .worker)

    /// Everyone outside Acme (or pretending to be in it), as a person.
    static let outsidersOfAcme: [MatrixActor] = [.hank, .gina, .nobody, .hankForgingAcme]
    /// Everyone outside Acme, as the worker.
    static let workerOutsidersOfAcme: [MatrixActor] = [.workerHank, .workerNobody, .workerHankForgingAcme]
}

/// What an actor attempts.
enum MatrixCommand: String, Sendable, CaseIterable {
    case select = "SELECT", insert = "INSERT", update = "UPDATE", delete = "DELETE"
    case function = "FUNCTION", view = "VIEW", session = "SESSION"
}

/// What must happen.
enum MatrixOutcome: Sendable, CustomStringConvertible {
    /// Allowed: exactly this many rows returned (SELECT) or affected (DML); n > 0. Rolled back.
    case rows(Int)
    /// Allowed read of one value (first column of the first row, in text form). Rolled back.
    case value(String?)
    /// Refused silently: zero rows returned or affected, no error. Committed, so a leak would persist.
    case noRows
    /// Refused loudly: SQLSTATE 42501 (privilege, RLS WITH CHECK, trigger) or 44000.
    case denied
    /// Refused by a constraint with exactly this SQLSTATE (e.g. 23503 for a composite foreign key).
    case failsWith(String)

    var isAllowed: Bool {
        switch self {
        case .rows, .value: true
        case .noRows, .denied, .failsWith: false
        }
    }

    var description: String {
        switch self {
        case .rows(let n): "allowed, \(n) row(s)"
        case .value(let v): "allowed, value \(v ?? "NULL")"
        case .noRows: "refused, zero rows"
        case .denied: "refused, 42501"
        case .failsWith(let code): "refused, SQLSTATE \(code)"
        }
    }
}

/// One cell of the matrix.
struct MatrixCase: Sendable, CustomStringConvertible {
    var table: String
    var command: MatrixCommand
    var actor: MatrixActor
    var note: String
    /// Statements run first in the same session (their results are not judged).
    var prelude: [SQL] = []
    var sql: SQL
    var outcome: MatrixOutcome

    var description: String { "\(self.table)/\(self.command.rawValue)/\(self.actor) — \(self.note)" }
}

/// Builds a list of cases with little ceremony.
struct MatrixCases: Sendable {
    private(set) var cases: [MatrixCase] = []
    let table: String

    init(_ table: String) { self.table = table }

    mutating func add(
        _ command: MatrixCommand, _ actor: MatrixActor, _ note: String, _ sql: SQL, _ outcome: MatrixOutcome,
        prelude: [SQL] = [], table: String? = nil
    ) {
        if case .rows(let n) = outcome { precondition(n > 0, "an allowed case must expect rows: \(note)") }
        self.cases.append(MatrixCase(
            table: table ?? self.table, command: command, actor: actor, note: note, prelude: prelude, sql: sql,
            outcome: outcome))
    }

    /// The same statement and outcome for several actors.
    mutating func add(
        _ command: MatrixCommand, _ actors: [MatrixActor], _ note: String, _ sql: SQL, _ outcome: MatrixOutcome,
        table: String? = nil
    ) {
        for actor in actors { self.add(command, actor, note, sql, outcome, table: table) }
    }
}

/// Fixed ids of demo/seed.sql beyond those in `Demo`.
enum Seed {
    static func id(_ text: String) -> UUID { UUID(uuidString: text)! }

    static let bobEmail = id("10000000-0000-4000-8000-0000000e0002")
    static let hankCalendar = id("20000000-0000-4000-8000-0000000c0002")
    static let hankEmail = id("20000000-0000-4000-8000-0000000e0002")
    static let acmeAppointment1 = id("10000000-0000-4000-8000-0000000a0001")  // mapped on alice's calendar
    static let acmeAppointment3 = id("10000000-0000-4000-8000-0000000a0003")  // mapped on alice's calendar
    static let acmeAppointment7 = id("10000000-0000-4000-8000-0000000a0007")  // unmapped
    static let globexAppointment1 = id("20000000-0000-4000-8000-0000000a0001")
    static let globexAppointment7 = id("20000000-0000-4000-8000-0000000a0007")
    static let aliceMapping = id("10000000-0000-4000-8000-0000000d0001")  // alice's calendar
    static let bobMapping = id("10000000-0000-4000-8000-0000000d0002")  // bob's calendar
    static let aliceMapping3 = id("10000000-0000-4000-8000-0000000d0003")  // alice's calendar, appointment 3
    static let globexMapping = id("20000000-0000-4000-8000-0000000d0001")  // gina's calendar
    static let aliceSyncLog = id("10000000-0000-4000-8000-000000050001")  // alice's calendar, success
    static let bobSyncLog = id("10000000-0000-4000-8000-000000050002")  // bob's calendar, partial
    static let globexSyncLog = id("20000000-0000-4000-8000-000000050001")
    static let aliceMessage = id("10000000-0000-4000-8000-0000000f0001")  // alice's mailbox, 2 attachments
    static let bobMessage = id("10000000-0000-4000-8000-0000000f0003")  // bob's mailbox, no attachment
    static let globexMessage = id("20000000-0000-4000-8000-0000000f0001")
    static let aliceAttachment = id("10000000-0000-4000-8000-0000000f1001")
    static let globexAttachment = id("20000000-0000-4000-8000-0000000f1001")

    /// Open calendar conflicts the matrix inserts (`TenancyMatrixTests.insertConflicts`), not in
    /// the seed: on alice's mapping (Acme), bob's mapping (Acme) and gina's mapping (Globex).
    static let aliceConflict = id("10000000-0000-4000-8000-0000000cf001")
    static let bobConflict = id("10000000-0000-4000-8000-0000000cf002")
    static let globexConflict = id("20000000-0000-4000-8000-0000000cf001")

    /// Ids for rows the cases try to create (never present in the seed).
    static let new1 = id("99999999-0000-4000-8000-000000000001")
    static let new2 = id("99999999-0000-4000-8000-000000000002")
    /// A user who belongs to no organization (the super admin of the super-admin suite).
    static let sam = id("99999999-0000-4000-8000-0000000000ad")
}

/// Every table of the public schema the matrix must cover (tenant tables plus oauth_secrets and
/// audit_log). The suite also checks this list against the live schema.
let tenancyMatrixTables = [
    "organizations", "user_organizations", "appointments", "calendar_accounts", "calendar_event_mappings",
    "calendar_sync_log", "calendar_conflicts", "email_accounts", "email_messages", "email_attachments", "oauth_secrets",
    "audit_log", "calendar_push_channels", "oauth_connect_states", "email_folders", "email_message_locations",
    "email_sync_log", "email_outbox", "email_message_subjects", "email_message_bodies", "email_message_participants",
]
