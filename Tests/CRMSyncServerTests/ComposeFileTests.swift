import CRMSyncTestSupport
import Foundation
import Testing
import Yams

/// No Docker engine runs here, so `docker compose config` cannot: the compose file is checked
/// as YAML instead, for what `docker compose` itself would refuse or what would not start.
@Suite("docker-compose.yml wires Postgres 15, crmsync serve and the sandbox")
struct ComposeFileTests {
    @Test("valid YAML; every service, dependency, variable and file it names exists")
    func composeFileIsConsistent() throws {
        let root = TestDatabase.projectRoot
        let text = try String(contentsOf: root.appending(path: "docker-compose.yml"), encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let services = try #require(document["services"] as? [String: [String: Any]])
        #expect(Set(services.keys) == ["postgres", "migrate", "sandbox", "crmsync"])
        #expect((services["postgres"]?["image"] as? String)?.hasPrefix("postgres:15") == true)

        for (name, service) in services {
            // Each service either builds the project's Dockerfile or names an image.
            #expect(service["build"] as? String == "." || service["image"] is String, "\(name)")
            if let dependencies = service["depends_on"] as? [String: [String: Any]] {
                for (dependency, condition) in dependencies {
                    #expect(services[dependency] != nil, "\(name) depends on unknown service \(dependency)")
                    #expect(
                        ["service_started", "service_healthy", "service_completed_successfully"].contains(condition["condition"] as? String),
                        "\(name) -> \(dependency)")
                    if condition["condition"] as? String == "service_healthy" {
                        #expect(services[dependency]?["healthcheck"] != nil, "\(dependency) has no healthcheck")
                    }
                }
            }
        }
        #expect(FileManager.default.fileExists(atPath: root.appending(path: "Dockerfile").path))

        // `crmsync serve` refuses to start without these (README, "crmsync serve").
        let serve = try #require(services["crmsync"])
        #expect(serve["command"] as? [String] == ["serve"])
        let environment = try #require(serve["environment"] as? [String: Any])
        for required in ["CRMSYNC_APP_DATABASE_URL", "CRMSYNC_TOKEN_KEY", "CRMSYNC_PUBLIC_URL", "CRMSYNC_JWT_SECRET"] {
            #expect(environment[required] != nil, "crmsync lacks \(required)")
        }
        #expect(environment["CRMSYNC_HOST"] as? String == "0.0.0.0")
        #expect((serve["ports"] as? [String])?.contains("8080:8080") == true)
        // The service reaches the sandbox by its compose name, on the port the sandbox listens on.
        #expect((environment["CRMSYNC_SANDBOX_URL"] as? String) == "http://sandbox:8099")
        #expect((services["sandbox"]?["command"] as? [String])?.suffix(2) == ["--port", "8099"])
        // The service logs in as crmsync_app with the password `migrate` gave it.
        let migrate = try #require(services["migrate"]?["environment"] as? [String: Any])
        let password = try #require(migrate["CRMSYNC_APP_PASSWORD"] as? String)
        #expect((environment["CRMSYNC_APP_DATABASE_URL"] as? String)?.contains("crmsync_app:\(password)@postgres:5432/") == true)
    }
}
