import Foundation

/// Why a sync could not start.
public enum SyncError: Error, Sendable, CustomStringConvertible {
    /// No such account is visible to its supposed owner (wrong id, or another tenant's).
    case accountNotFound(UUID)
    /// The account is not connected (no tokens, or disconnected).
    case notConnected(UUID, status: String)
    /// The account names a provider crmsync does not sync.
    case unknownProvider(UUID, provider: String)

    public var description: String {
        switch self {
        case .accountNotFound(let id): "calendar account \(id.uuidString.lowercased()) is not visible to this user"
        case .notConnected(let id, let status): "calendar account \(id.uuidString.lowercased()) is not connected (\(status))"
        case .unknownProvider(let id, let provider): "calendar account \(id.uuidString.lowercased()) has an unknown provider (\(provider))"
        }
    }
}
