import Foundation

/// What `public.import_calendar_events` did with one event.
enum ImportOutcome: String, Sendable {
    case created
    case updated
    case deleted
    case unchanged
    case ignored
    case keptCRM = "kept_crm"
    case conflict
    /// An event crmsync created whose create was never recorded, now linked to its appointment.
    case linked
    /// The event could not be read (no id, no valid times); nothing was written for it.
    case invalid

    /// Adds this outcome to the run's counts.
    func count(into counts: inout SyncCounts) {
        switch self {
        case .created: counts.imported += 1
        case .updated: counts.imported += 1; counts.updated += 1
        case .deleted: counts.imported += 1; counts.deleted += 1
        case .unchanged, .ignored: counts.unchanged += 1
        case .keptCRM: counts.unchanged += 1
        case .conflict: counts.conflicts += 1
        case .linked: counts.unchanged += 1
        case .invalid: counts.errors += 1
        }
    }
}
