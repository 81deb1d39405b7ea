import Foundation

/// What an incremental listing (Google `syncToken`, Graph `$deltatoken`) reports since a
/// cursor, computed from the store's change log: the records written since the cursor and the
/// recurring masters, never the whole calendar.
struct IncrementalDiff {
    /// Items whose version differs from the cursor's snapshot, in listing order.
    var changed: [ItemView] = []
    /// Ids the cursor saw live that are no longer listed, sorted.
    var vanished: [String] = []
    /// The cursor for the next round.
    var next: SyncCursor
}

extension SyncCursor {
    /// The cursor after a full listing that showed `views` (`entry` is the snapshot's value
    /// for a view, nil to leave it out).
    func taking(_ views: [ItemView], sequence: Int, entry: (ItemView) -> String?) -> SyncCursor {
        var next = self
        next.snapshot = [:]
        next.shown = [:]
        for view in views {
            if next.snapshot[view.id] == nil, let value = entry(view) { next.snapshot[view.id] = value }
            if let record = view.record { next.shown[record, default: []].append(view.id) }
        }
        next.sequence = sequence
        return next
    }

    /// The changes `store` holds since this cursor. `views` lists one record (as the full
    /// listing would show it, window and mode applied); `entry` is the snapshot's value for a
    /// view (nil: not remembered).
    func diff(_ store: EventStore, views: (String) -> [ItemView], entry: (ItemView) -> String?) -> IncrementalDiff {
        var result = IncrementalDiff(next: self)
        var before: Set<String> = []
        var after: [ItemView] = []
        var seen: Set<String> = []
        for record in store.touched(since: self.sequence) {
            before.formUnion(self.shown[record] ?? (self.snapshot[record] == nil ? [] : [record]))
            let listed = views(record)
            after += listed
            seen.formUnion(listed.map(\.id))
            let ids = listed.map(\.id)
            result.next.shown[record] = ids.isEmpty || ids == [record] ? nil : ids
        }
        for view in after where self.snapshot[view.id] != entry(view) { result.changed.append(view) }
        result.vanished = before.subtracting(seen)
            .filter { self.snapshot[$0].map { !$0.hasPrefix(SandboxState.cancelledMark) } ?? false }
            .sorted()
        for id in before { result.next.snapshot[id] = nil }
        var assigned: Set<String> = []
        for view in after where assigned.insert(view.id).inserted {
            result.next.snapshot[view.id] = entry(view)
        }
        result.next.sequence = store.changes.count
        return result
    }
}
