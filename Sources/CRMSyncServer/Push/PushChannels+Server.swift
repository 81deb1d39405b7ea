import CRMSyncEngine
import Foundation

extension ServerDependencies {
    /// Push upkeep over this service's database, providers, clock and public webhook URLs.
    public var pushChannels: PushChannelManager {
        let configuration = self.configuration
        return PushChannelManager(
            clients: AccountClients(database: self.database, endpoints: self.endpoints, http: self.http, logger: self.logger),
            settings: configuration.push, webhookURL: { configuration.webhookURL($0.oauthClientName) }, now: self.now)
    }
}

extension PushChannelManager {
    /// The manager of `crmsync serve`.
    public init(dependencies: ServerDependencies) {
        self = dependencies.pushChannels
    }
}

extension PushRenewalService {
    /// The renewal service of `crmsync serve`, reporting to its metrics.
    public init(dependencies: ServerDependencies) {
        let metrics = dependencies.metrics
        self.init(manager: dependencies.pushChannels) { provider, outcome in
            metrics.pushRenewal(provider: provider, outcome: outcome)
        }
    }
}
