/// One page of a listing: normalized events and where to go next.
public struct EventPage: Sendable, Hashable {
    /// The events on this page; may be empty even when more pages follow.
    public var events: [CalendarEvent]
    /// The next page, or the cursor to store when this was the last one.
    public var next: Next

    /// Creates a page.
    public init(events: [CalendarEvent], next: Next) {
        self.events = events
        self.next = next
    }

    /// What follows a page.
    public enum Next: Sendable, Hashable {
        /// More pages follow: list again from this position.
        case page(PageContinuation)
        /// The listing is complete: store this cursor for the next incremental listing.
        case done(SyncCursor)
    }
}

/// Where a listing stands.
public enum ListPosition: Sendable, Hashable {
    /// A full listing over the configured window (first sync, or after `cursorExpired`).
    case full
    /// Changes since a stored cursor.
    case changes(since: SyncCursor)
    /// The next page of a listing in progress.
    case continuation(PageContinuation)

    /// `.changes(since:)` for a stored cursor, `.full` without one.
    public static func start(from cursor: SyncCursor?) -> ListPosition {
        cursor.map { .changes(since: $0) } ?? .full
    }
}

/// An opaque, storable incremental-sync position: Google's `nextSyncToken` or Graph's
/// `@odata.deltaLink`, kept verbatim.
public struct SyncCursor: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The provider's value.
    public var value: String

    /// Wraps a stored value.
    public init(_ value: String) {
        self.value = value
    }

    /// Redacted: cursors are not secrets, but they are long and opaque.
    public var description: String { "SyncCursor(\(self.value.count) chars)" }
}

/// An opaque position inside a listing: the complete URL of the next page (Google's request
/// repeated with `pageToken`, Graph's `@odata.nextLink` verbatim).
public struct PageContinuation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The URL of the next page.
    public var url: String

    /// Wraps a next-page URL.
    public init(url: String) {
        self.url = url
    }

    public var description: String { "PageContinuation" }
}
