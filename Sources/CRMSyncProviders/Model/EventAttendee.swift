/// Someone taking part in an event, identified by email.
public struct EventParticipant: Sendable, Hashable, Codable {
    /// The email address.
    public var email: String
    /// The display name, if the provider has one.
    public var name: String?

    /// Creates a participant.
    public init(email: String, name: String? = nil) {
        self.email = email
        self.name = name
    }
}

/// An attendee of an event with the answer they gave.
public struct EventAttendee: Sendable, Hashable, Codable {
    /// The email address.
    public var email: String
    /// The display name, if the provider has one.
    public var name: String?
    /// The attendee's answer.
    public var responseStatus: ResponseStatus
    /// True when attendance is optional.
    public var isOptional: Bool

    /// Creates an attendee.
    public init(email: String, name: String? = nil, responseStatus: ResponseStatus = .needsAction, isOptional: Bool = false) {
        self.email = email
        self.name = name
        self.responseStatus = responseStatus
        self.isOptional = isOptional
    }
}

/// An attendee's answer, in Google's vocabulary (Graph's is mapped onto it).
public enum ResponseStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case needsAction
    case declined
    case tentative
    case accepted
}
