import CRMSyncProviders
import CRMSyncServer
import CRMSyncTestSupport
import Foundation
import Testing
import Yams

/// In docker compose the browser and the containers reach the same services by different names:
/// the browser (on the host) by `localhost:<published port>`, containers by service name. Each
/// address in the compose file must be the one its reader can resolve.
@Suite("docker compose: addresses, image and build context")
struct ComposeAddressTests {
    private static func compose() throws -> [String: [String: Any]] {
        let text = try String(contentsOf: TestDatabase.projectRoot.appending(path: "docker-compose.yml"), encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        return try #require(document["services"] as? [String: [String: Any]])
    }

    @Test("browser-facing URLs use published localhost ports; container-facing URLs use service names")
    func addressesReachTheRightHosts() throws {
        let services = try Self.compose()
        let environment = try #require(services["crmsync"]?["environment"] as? [String: Any])
        func url(_ name: String) throws -> URL {
            let text = try #require(environment[name] as? String, "\(name)")
            return try #require(URL(string: text), "\(name)")
        }
        func published(_ service: String) -> [Int] {
            ((services[service]?["ports"] as? [String]) ?? []).compactMap { Int($0.split(separator: ":").first ?? "") }
        }
        // Read by the browser: the host must resolve them.
        for name in ["CRMSYNC_PUBLIC_URL", "CRMSYNC_GOOGLE_AUTH_URL", "CRMSYNC_MICROSOFT_AUTH_URL"] {
            let address = try url(name)
            #expect(address.host == "localhost", "\(name) is read by the browser")
            let service = name == "CRMSYNC_PUBLIC_URL" ? "crmsync" : "sandbox"
            #expect(published(service).contains(address.port ?? 80), "\(name): port not published by \(service)")
        }
        // Read by containers: a service name and the port that service listens on.
        let webhook = try url("CRMSYNC_WEBHOOK_URL")
        #expect(webhook.host == "crmsync" && webhook.port == Int(environment["CRMSYNC_PORT"] as? String ?? ""))
        #expect(try url("CRMSYNC_SANDBOX_URL").host == "sandbox")

        // And the service derives its addresses from them as intended.
        let strings = environment.compactMapValues { $0 as? String }
        let configuration = try ServerConfiguration.fromEnvironment(strings)
        #expect(configuration.webhookURL("microsoft").absoluteString == "http://crmsync:8080/webhooks/microsoft")
        #expect(configuration.callbackURL(provider: "outlook").absoluteString == "http://localhost:8080/oauth/outlook/callback")
        let endpoints = try ProviderEndpoints.fromEnvironment(strings)
        #expect(endpoints.microsoftAuthorizeURL.absoluteString == "http://localhost:8099/common/oauth2/v2.0/authorize")
        #expect(endpoints.microsoftTokenURL.host == "sandbox")
        #expect(endpoints.googleTokenURL.host == "sandbox")
    }

    @Test("without CRMSYNC_WEBHOOK_URL webhooks go to the public URL")
    func webhookDefaultsToPublicURL() throws {
        let configuration = try ServerConfiguration.fromEnvironment([
            "CRMSYNC_PUBLIC_URL": "https://sync.example.com", "CRMSYNC_JWT_SECRET": String(repeating: "s", count: 40),
        ])
        #expect(configuration.webhookURL("google").absoluteString == "https://sync.example.com/webhooks/google")
    }

    @Test("the image builds with the Swift the project is tested with; the build context leaves out .build, .local, .git")
    func imageAndContext() throws {
        let root = TestDatabase.projectRoot
        let dockerfile = try String(contentsOf: root.appending(path: "Dockerfile"), encoding: .utf8)
        let images = dockerfile.split(separator: "\n").filter { $0.hasPrefix("FROM ") }.map { $0.split(separator: " ")[1] }
        #expect(images.count == 2)
        #expect(images.allSatisfy { $0.hasPrefix("swift:6.3-") }, "\(images)")
        #if !compiler(>=6.3)
            Issue.record("the tests run with a Swift older than the image's 6.3")
        #endif
        let ignored = try String(contentsOf: root.appending(path: ".dockerignore"), encoding: .utf8)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        for entry in [".build", ".local", ".git"] { #expect(ignored.contains(entry), "\(entry)") }
    }
}
