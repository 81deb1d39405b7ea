/// Lets at most `limit` callers through at once; the others wait in arrival order. One per
/// mail client value, shared by its copies, so the mailbox's concurrency limit holds across
/// every concurrent caller of that client.
actor RequestLimiter {
    let limit: Int
    private(set) var inFlight = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Waits for a slot.
    func acquire() async {
        if self.inFlight < self.limit {
            self.inFlight += 1
            return
        }
        await withCheckedContinuation { self.waiting.append($0) }
    }

    /// Frees a slot: hands it to the longest waiter, if any.
    func release() {
        if self.waiting.isEmpty {
            self.inFlight -= 1
        } else {
            self.waiting.removeFirst().resume()
        }
    }
}
