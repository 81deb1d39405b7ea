/// How full listings are shaped.
public struct ListingOptions: Sendable, Hashable {
    /// How far back a full listing reaches. Default 30 days.
    public var windowBack: Duration
    /// How far ahead a full listing reaches. Default 365 days.
    public var windowAhead: Duration
    /// Events per page asked for (Google `maxResults`, Graph `odata.maxpagesize`). Default 250.
    public var pageSize: Int

    /// Creates options; the defaults are 30 days back, 365 ahead, 250 per page.
    public init(windowBack: Duration = .seconds(30 * 86_400), windowAhead: Duration = .seconds(365 * 86_400), pageSize: Int = 250) {
        self.windowBack = windowBack
        self.windowAhead = windowAhead
        self.pageSize = max(1, pageSize)
    }
}
