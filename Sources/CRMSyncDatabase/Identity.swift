import Foundation

/// Who a transaction acts for: a person, within one of their organizations.
public struct Identity: Sendable, Hashable {
    public var userID: UUID
    public var organizationID: UUID

    public init(userID: UUID, organizationID: UUID) {
        self.userID = userID
        self.organizationID = organizationID
    }

    /// The Supabase/PostgREST-shaped claims `auth.uid()` reads.
    var claimsJSON: String {
        #"{"sub":"\#(self.userID.uuidString.lowercased())","role":"authenticated"}"#
    }
}

/// The database role a transaction switches to with `SET LOCAL ROLE`.
public enum SessionRole: String, Sendable, CaseIterable {
    /// A person's request.
    case authenticated = "authenticated"
    /// Background sync of one account, still under the account owner's identity.
    case worker = "crmsync_worker"
}
