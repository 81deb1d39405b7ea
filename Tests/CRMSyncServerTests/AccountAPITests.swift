import CRMSyncProviders
import CRMSyncTestSupport
import Foundation
import PostgresClient
import Testing

/// The `/v1` calendar API as the CRM backend uses it, and as other callers must not.
@Suite("Backend API: accounts, sync requests, sync log, conflicts")
struct AccountAPITests {
    static func json(_ response: HTTPResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: response.body) as? [String: Any])
    }

    static func errorCode(_ response: HTTPResponse) -> String? {
        ((try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any])
            .flatMap { $0["error"] as? [String: Any] }?["code"] as? String
    }

    @Test("a user lists only their own accounts in the active organization, with status badges")
    func listsOwnAccounts() async throws {
        try await ServerHarness.with("api_list") { harness in
            let response = try await harness.api("GET", "/v1/calendar/accounts", as: Demo.alice, in: Demo.acme)
            #expect(response.status == 200)
            let accounts = try #require(try Self.json(response)["accounts"] as? [[String: Any]])
            #expect(accounts.map { $0["id"] as? String } == [Demo.aliceCalendar.uuidString.lowercased()])
            let account = try #require(accounts.first)
            #expect(["connected", "pending", "error", "syncing", "needs_reconnection", "disconnected"].contains(account["status"] as? String))
            #expect(account["access_token"] == nil && account["sync_cursor"] == nil)
            #expect(response.header("X-Request-Id")?.isEmpty == false)

            // The same user in an organization they do not belong to sees nothing.
            let forged = try await harness.api("GET", "/v1/calendar/accounts", as: Demo.alice, in: Demo.globex)
            #expect(forged.status == 200)
            #expect((try Self.json(forged)["accounts"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("settings change, and a new calendar forgets the old one's mappings and asks for a sync")
    func updatesSettings() async throws {
        try await ServerHarness.with("api_settings") { harness in
            let path = "/v1/calendar/accounts/\(Demo.aliceCalendar.uuidString.lowercased())"
            let strategy = try await harness.api("PATCH", path, as: Demo.alice, in: Demo.acme, json: ["conflict_strategy": "crm_wins"])
            #expect(strategy.status == 200)
            #expect(try Self.json(strategy)["conflict_strategy"] as? String == "crm_wins")
            #expect(try await harness.scalar("select conflict_strategy from calendar_accounts where id = \(Demo.aliceCalendar)") == "crm_wins")

            let mappingsBefore = try await harness.scalar(
                "select count(*) from calendar_event_mappings where calendar_account_id = \(Demo.aliceCalendar)")
            #expect(mappingsBefore != "0")
            let moved = try await harness.api("PATCH", path, as: Demo.alice, in: Demo.acme, json: ["calendar_id": "team@example.com"])
            #expect(moved.status == 200)
            let body = try Self.json(moved)
            #expect(body["calendar_id"] as? String == "team@example.com")
            #expect(body["sync_pending"] as? Bool == true)
            #expect(
                try await harness.scalar("select count(*) from calendar_event_mappings where calendar_account_id = \(Demo.aliceCalendar)")
                    == "0")
            #expect(try await harness.scalar("select count(*) from appointments where owner_id = \(Demo.alice) and deleted_at is null") != "0")
        }
    }

    @Test("bad input is a 400/413/415 with a stable code, and changes nothing")
    func validatesInput() async throws {
        try await ServerHarness.with("api_validation") { harness in
            let path = "/v1/calendar/accounts/\(Demo.aliceCalendar.uuidString.lowercased())"
            let before = try await harness.fingerprint()
            let cases: [(String, String, Any?, Int, String)] = [
                ("PATCH", path, ["sync_enabled": false, "colour": "red"], 400, "unknown_field"),
                ("PATCH", path, ["conflict_strategy": "coin_flip"], 400, "invalid_field"),
                ("PATCH", path, ["sync_enabled": "yes"], 400, "invalid_field"),
                ("PATCH", path, ["calendar_id": "  "], 400, "invalid_field"),
                ("PATCH", path, ["calendar_id": "\n\t"], 400, "invalid_field"),
                // Postgres text cannot hold NUL: refused whole, never stored cut short.
                ("PATCH", path, ["calendar_id": "probe\u{0}tail"], 400, "invalid_value"),
                // No body field is nullable: null is refused, never read as "absent".
                ("PATCH", path, ["calendar_id": NSNull()], 400, "invalid_value"),
                ("PATCH", path, ["sync_enabled": false, "conflict_strategy": NSNull()], 400, "invalid_value"),
                ("PATCH", path, [1, 2, 3], 400, "invalid_json"),
                ("PATCH", "/v1/calendar/accounts/not-a-uuid", ["sync_enabled": false], 400, "invalid_id"),
                ("GET", "/v1/calendar/accounts/not-a-uuid", nil, 400, "invalid_id"),
                ("GET", path + "/sync-log?limit=0", nil, 400, "invalid_parameter"),
                ("GET", "/v1/calendar/conflicts?status=maybe", nil, 400, "invalid_parameter"),
                ("GET", "/v1/calendar/conflicts?account_id=nope", nil, 400, "invalid_parameter"),
                ("POST", "/v1/calendar/conflicts/\(UUID().uuidString)/resolve", ["keep": "both"], 400, "invalid_field"),
                ("POST", "/v1/calendar/conflicts/\(UUID().uuidString)/resolve", [String: Any](), 400, "invalid_field"),
            ]
            for (method, target, body, status, code) in cases {
                let response = try await harness.api(method, target, as: Demo.alice, in: Demo.acme, json: body)
                #expect(response.status == status, "\(method) \(target) \(String(describing: body))")
                #expect(Self.errorCode(response) == code, "\(method) \(target) \(String(describing: body))")
            }

            let token = try await harness.token(for: Demo.alice)
            let org = Demo.acme.uuidString
            let text = try await harness.send(
                "PATCH", path, headers: ["Authorization": "Bearer \(token)", "X-Organization-Id": org, "Content-Type": "text/plain"],
                body: Data("sync_enabled=false".utf8))
            #expect(text.status == 415 && Self.errorCode(text) == "unsupported_media_type")
            let huge = try await harness.send(
                "PATCH", path, headers: ["Authorization": "Bearer \(token)", "X-Organization-Id": org, "Content-Type": "application/json"],
                body: Data(("{\"calendar_id\":\"" + String(repeating: "x", count: 200_000) + "\"}").utf8))
            #expect(huge.status == 413 && Self.errorCode(huge) == "payload_too_large")
            let noOrg = try await harness.send("GET", "/v1/calendar/accounts", headers: ["Authorization": "Bearer \(token)"])
            #expect(noOrg.status == 400 && Self.errorCode(noOrg) == "organization_required")
            let badOrg = try await harness.send(
                "GET", "/v1/calendar/accounts", headers: ["Authorization": "Bearer \(token)", "X-Organization-Id": "acme"])
            #expect(badOrg.status == 400 && Self.errorCode(badOrg) == "invalid_organization")
            let noRoute = try await harness.api("GET", "/v1/calendar/nothing-here", as: Demo.alice, in: Demo.acme)
            #expect(noRoute.status == 404 && Self.errorCode(noRoute) == "no_route")

            #expect(try await harness.fingerprint() == before)
        }
    }

    @Test("a sync request returns 202 at once and marks the account due; a paused account is refused")
    func requestsSync() async throws {
        try await ServerHarness.with("api_sync") { harness in
            let path = "/v1/calendar/accounts/\(Demo.aliceCalendar.uuidString.lowercased())"
            let accepted = try await harness.api("POST", path + "/sync", as: Demo.alice, in: Demo.acme)
            #expect(accepted.status == 202)
            #expect(try Self.json(accepted)["sync_log"] as? String == path + "/sync-log")
            #expect(try await harness.scalar("select sync_requested_at is not null from calendar_accounts where id = \(Demo.aliceCalendar)") == "t")

            _ = try await harness.api("PATCH", path, as: Demo.alice, in: Demo.acme, json: ["sync_enabled": false])
            let paused = try await harness.api("POST", path + "/sync", as: Demo.alice, in: Demo.acme)
            #expect(paused.status == 409 && Self.errorCode(paused) == "account_not_syncable")

            let log = try await harness.api("GET", path + "/sync-log?limit=2", as: Demo.alice, in: Demo.acme)
            #expect(log.status == 200)
            let entries = try #require(try Self.json(log)["entries"] as? [[String: Any]])
            #expect(entries.count == 2)
            #expect(entries.allSatisfy { $0["status"] is String && $0["error_details"] is [Any] })
        }
    }

    @Test("a conflict is listed and resolved once; resolving again is a 409")
    func resolvesConflicts() async throws {
        try await ServerHarness.with("api_conflicts") { harness in
            let conflict = try await Self.insertConflict(harness, account: Demo.aliceCalendar)
            let list = try await harness.api("GET", "/v1/calendar/conflicts", as: Demo.alice, in: Demo.acme)
            let conflicts = try #require(try Self.json(list)["conflicts"] as? [[String: Any]])
            #expect(conflicts.map { $0["id"] as? String } == [conflict.uuidString.lowercased()])
            #expect((conflicts.first?["calendar"] as? [String: Any])?["title"] as? String == "Moved in the calendar")

            let path = "/v1/calendar/conflicts/\(conflict.uuidString.lowercased())/resolve"
            let resolved = try await harness.api("POST", path, as: Demo.alice, in: Demo.acme, json: ["keep": "calendar"])
            #expect(resolved.status == 200)
            #expect(try Self.json(resolved)["resolution"] as? String == "keep_calendar")
            let again = try await harness.api("POST", path, as: Demo.alice, in: Demo.acme, json: ["keep": "crm"])
            #expect(again.status == 409 && Self.errorCode(again) == "already_resolved")
            let open = try await harness.api("GET", "/v1/calendar/conflicts?status=open", as: Demo.alice, in: Demo.acme)
            #expect((try Self.json(open)["conflicts"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("a disconnected account is gone from the API (404 on every route, not listed), its history stays in the database")
    func disconnectedAccountIsGone() async throws {
        try await ServerHarness.with("api_disconnected") { harness in
            let conflict = try await Self.insertConflict(harness, account: Demo.aliceCalendar)
            let path = "/v1/calendar/accounts/\(Demo.aliceCalendar.uuidString.lowercased())"
            let logBefore = try await harness.scalar("select count(*) from calendar_sync_log where calendar_account_id = \(Demo.aliceCalendar)")
            let disconnected = try await harness.api("DELETE", path, as: Demo.alice, in: Demo.acme)
            #expect(disconnected.status == 200)
            #expect(try Self.json(disconnected)["status"] as? String == "disconnected")

            let calls: [(String, String, Any?)] = [
                ("GET", path, nil),
                ("PATCH", path, ["sync_enabled": true]),
                ("PATCH", path, ["calendar_id": "team@example.com"]),
                ("POST", path + "/sync", nil),
                ("GET", path + "/sync-log", nil),
                ("DELETE", path, nil),
                ("POST", "/v1/calendar/conflicts/\(conflict.uuidString.lowercased())/resolve", ["keep": "crm"]),
            ]
            for (method, route, body) in calls {
                let response = try await harness.api(method, route, as: Demo.alice, in: Demo.acme, json: body)
                #expect(response.status == 404 && Self.errorCode(response) == "not_found", "\(method) \(route): \(response.status)")
            }
            let list = try await harness.api("GET", "/v1/calendar/accounts", as: Demo.alice, in: Demo.acme)
            #expect((try Self.json(list)["accounts"] as? [Any])?.isEmpty == true)
            let conflicts = try await harness.api("GET", "/v1/calendar/conflicts?status=all", as: Demo.alice, in: Demo.acme)
            #expect((try Self.json(conflicts)["conflicts"] as? [Any])?.isEmpty == true)

            // Nothing changed it: still disconnected, paused, on its calendar; its history is kept.
            let state = try await harness.scalar(
                "select concat_ws(' ', connection_status, sync_enabled, calendar_id) from calendar_accounts where id = \(Demo.aliceCalendar)")
            #expect(state == "disconnected f primary")
            #expect(
                try await harness.scalar("select count(*) from calendar_sync_log where calendar_account_id = \(Demo.aliceCalendar)") == logBefore)
            #expect(try await harness.scalar("select count(*) from calendar_conflicts where id = \(conflict) and resolved_at is null") == "1")
        }
    }

    @Test("16 parallel resolutions of the same 5 conflicts: exactly one wins each, the rest are 409, none is a 500")
    func concurrentResolutions() async throws {
        try await ServerHarness.with("api_conflict_race") { harness in
            // Alice's account has three mappings in the demo data, Bob's two: five conflicts.
            var conflicts: [(id: UUID, owner: UUID)] = []
            for index in 0..<3 { conflicts.append((try await Self.insertConflict(harness, account: Demo.aliceCalendar, index: index), Demo.alice)) }
            for index in 0..<2 { conflicts.append((try await Self.insertConflict(harness, account: Demo.bobCalendar, index: index), Demo.bob)) }
            let tokens = [Demo.alice: try await harness.token(for: Demo.alice), Demo.bob: try await harness.token(for: Demo.bob)]
            // Both versions are asked for, so losers meet a resolved conflict of either kind.
            let outcomes = try await withThrowingTaskGroup(of: (UUID, Int, String?).self) { group in
                for (conflict, owner) in conflicts {
                    for attempt in 0..<16 {
                        group.addTask {
                            let response = try await harness.api(
                                "POST", "/v1/calendar/conflicts/\(conflict.uuidString.lowercased())/resolve", as: owner,
                                in: Demo.acme, json: ["keep": attempt % 2 == 0 ? "crm" : "calendar"], token: tokens[owner])
                            return (conflict, response.status, Self.errorCode(response))
                        }
                    }
                }
                return try await group.reduce(into: [(UUID, Int, String?)]()) { $0.append($1) }
            }
            for (conflict, _) in conflicts {
                let mine = outcomes.filter { $0.0 == conflict }
                #expect(mine.filter { $0.1 == 200 }.count == 1, "\(mine.map(\.1))")
                #expect(mine.filter { $0.1 == 409 && $0.2 == "already_resolved" }.count == 15, "\(mine.map { "\($0.1) \($0.2 ?? "")" })")
                #expect(
                    try await harness.scalar("select count(*) from calendar_conflicts where id = \(conflict) and resolved_at is not null") == "1")
            }
            #expect(
                try await harness.scalar(
                    "select count(*) from audit_log where action = 'calendar_conflict.resolved' and organization_id = \(Demo.acme)") == "5")
        }
    }

    /// One open conflict on the `index`-th mapping of `account` (as the administrator).
    static func insertConflict(_ harness: ServerHarness, account: UUID, index: Int = 0) async throws -> UUID {
        let id = UUID()
        let connection = try await harness.database.adminConnection()
        try await connection.query(
            """
            insert into public.calendar_conflicts (id, organization_id, calendar_account_id, mapping_id, appointment_id,
                                                   crm_version, crm_snapshot, remote_snapshot, remote_etag)
            select \(id), m.organization_id, m.calendar_account_id, m.id, m.appointment_id, a.crm_version,
                   private.calendar_crm_snapshot(a),
                   jsonb_build_object('id', m.external_event_id, 'status', 'confirmed', 'title', 'Moved in the calendar',
                                      'start', a.start_time + interval '1 hour', 'end', a.end_time + interval '1 hour'),
                   '"etag-conflict"'
              from public.calendar_event_mappings m
              join public.appointments a on a.organization_id = m.organization_id and a.id = m.appointment_id
             where m.calendar_account_id = \(account)
             order by m.id
             offset \(index)
             limit 1
            """)
        try await connection.query("update public.calendar_event_mappings set sync_status = 'conflict' where id = (select mapping_id from public.calendar_conflicts where id = \(id))")
        return id
    }
}
