/// The pages of one listing, fetched lazily, one request per page.
public struct EventPageSequence<Client: CalendarClient>: AsyncSequence, Sendable {
    public typealias Element = EventPage
    public typealias Failure = ProviderError

    let client: Client
    let start: ListPosition

    public func makeAsyncIterator() -> Iterator {
        Iterator(client: self.client, position: self.start)
    }

    /// Fetches the next page until a page ends the listing.
    public struct Iterator: AsyncIteratorProtocol {
        let client: Client
        var position: ListPosition?

        public mutating func next() async throws(ProviderError) -> EventPage? {
            try await self.next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(ProviderError) -> EventPage? {
            guard let position = self.position else { return nil }
            let page = try await self.client.listPage(position)
            switch page.next {
            case .page(let continuation): self.position = .continuation(continuation)
            case .done: self.position = nil
            }
            return page
        }
    }
}
