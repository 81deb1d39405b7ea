// Helpers of the Outlook mail tests: messages, deltas followed to their end, a listening sandbox.
import CRMSyncSupport
import Foundation
import Testing

@testable import ProviderSandbox

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An RFC 5322 message with CRLF line ends.
func mailText(from: String, to: [String], cc: [String] = [], bcc: [String] = [], subject: String, id: String, inReplyTo: String? = nil) -> String {
    var lines = ["From: \(from)", "To: \(to.joined(separator: ", "))"]
    if !cc.isEmpty { lines.append("Cc: \(cc.joined(separator: ", "))") }
    if !bcc.isEmpty { lines.append("Bcc: \(bcc.joined(separator: ", "))") }
    lines += ["Subject: \(subject)", "Message-ID: <\(id)>", "Date: Sat, 01 Mar 2025 08:00:00 +0000"]
    if let inReplyTo { lines += ["In-Reply-To: <\(inReplyTo)>", "References: <\(inReplyTo)>"] }
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", "Hello about \(subject).", ""]
    return lines.joined(separator: "\r\n")
}

let immutable = ["Prefer": "IdType=\"ImmutableId\""]

extension SandboxClient {
    /// Mail arrives in `email`'s Outlook folder; returns the control API's answer (both ids).
    func arriveInOutlook(_ email: String, _ subject: String, folder: String = "inbox", from: String = "zoe@fabrikam.com") async throws -> JSONValue {
        let result = try await self.json(.post, "/_sandbox/microsoft/users/\(email)/messages", [
            "mime": .string(mailText(from: from, to: [email], subject: subject, id: "\(subject.lowercased().replacingOccurrences(of: " ", with: "-"))@fabrikam.com")),
            "folder": .string(folder),
        ])
        #expect(result.status == 201)
        return result.json
    }

    /// Follows a delta from `path` to its deltaLink: the items and the link (as a path).
    func deltaRound(_ path: String, token: String, headers: [String: String] = immutable) async throws -> (items: [JSONValue], deltaLink: String, pages: Int) {
        var path = path
        var items: [JSONValue] = []
        var pages = 0
        while true {
            let page = try await self.json(.get, path, token: token, headers: headers)
            #expect(page.status == 200, "\(page.text)")
            pages += 1
            items += page.json["value"]?.array ?? []
            if let next = page.json["@odata.nextLink"]?.string {
                path = pathOf(next)
            } else {
                return (items, pathOf(try #require(page.json["@odata.deltaLink"]?.string)), pages)
            }
            if pages > 50 { Issue.record("too many pages"); return (items, "", pages) }
        }
    }
}

/// A request to a listening sandbox: status, lower-cased headers, JSON body.
func live(_ base: String, _ method: String, _ path: String, token: String? = nil, body: JSONValue? = nil) async throws
    -> (status: Int, headers: [String: String], json: JSONValue)
{
    var request = URLRequest(url: URL(string: base + path)!)
    request.httpMethod = method
    if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    if let body {
        request.httpBody = body.encoded()
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    }
    // A session per request: the held requests must not queue the others behind a connection limit.
    let session = URLSession(configuration: .ephemeral)
    defer { session.finishTasksAndInvalidate() }
    let (data, response) = try await session.data(for: request)
    let http = response as? HTTPURLResponse
    var headers: [String: String] = [:]
    for (name, value) in http?.allHeaderFields ?? [:] { headers[String(describing: name).lowercased()] = String(describing: value) }
    return (http?.statusCode ?? 0, headers, (try? JSONDecoder().decode(JSONValue.self, from: data)) ?? .null)
}

func removedIDs(_ items: [JSONValue]) -> Set<String> {
    Set(items.filter { $0["@removed"] != nil }.compactMap { $0["id"]?.string })
}

func listedIDs(_ items: [JSONValue]) -> Set<String> {
    Set(items.filter { $0["@removed"] == nil }.compactMap { $0["id"]?.string })
}
