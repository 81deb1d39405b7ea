/// How full listings are shaped.
public struct ListingOptions: Sendable, Hashable {
    /// How far back a full listing reaches. Default 30 days.
    public var windowBack: Duration
    /// How far ahead a full listing reaches. Default 365 days.
    public var windowAhead: Duration
    /// Events per page asked for (Google `maxResults`, at most 2,500; Graph
    /// `odata.maxpagesize`, a hint). Default 1,000: each page is one import transaction, so
    /// bigger pages mean fewer round trips and statements for a first import.
    public var pageSize: Int

    /// Creates options; the defaults are 30 days back, 365 ahead, 1,000 per page.
    public init(windowBack: Duration = .seconds(30 * 86_400), windowAhead: Duration = .seconds(365 * 86_400), pageSize: Int = 1_000) {
        self.windowBack = windowBack
        self.windowAhead = windowAhead
        self.pageSize = max(1, pageSize)
    }
}
