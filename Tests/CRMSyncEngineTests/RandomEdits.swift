import CRMSyncSupport
import CRMSyncTestSupport
import Foundation

/// Random creates, edits, moves, deletions and all-day/time-zone changes on both sides, from
/// a seed.
struct RandomEdits {
    var random: SeededGenerator
    private var counter = 0
    static let zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney"]

    init(seed: UInt64) {
        self.random = SeededGenerator(seed: seed)
    }

    /// A new shape: timed in a random zone (sometimes across a DST change) or all-day, some multi-day.
    mutating func shape(prefix: String) -> EventShape {
        self.counter += 1
        let title = "\(prefix) \(self.counter)"
        let day = Int.random(in: 1...120, using: &self.random)
        if Int.random(in: 0..<4, using: &self.random) == 0 {
            return .allDay(title, day: day, days: Int.random(in: 1...3, using: &self.random))
        }
        return .timed(
            title, day: day, hour: Int.random(in: 0...22, using: &self.random), minutes: 15 * Int.random(in: 1...12, using: &self.random),
            zone: Self.zones.randomElement(using: &self.random)!)
    }

    /// A change to an existing shape: rename, move, toggle all-day, or change zone.
    mutating func edit(_ shape: EventShape) -> EventShape {
        self.counter += 1
        var next = shape
        switch Int.random(in: 0..<4, using: &self.random) {
        case 0:
            next.title = "\(shape.title.split(separator: " ").first ?? "x") edited \(self.counter)"
        case 1:
            let hours = Double(Int.random(in: -48...48, using: &self.random))
            let delta = shape.allDay ? (hours.rounded() / 24).rounded() * 86_400 : hours * 3600
            next.start = shape.start.addingTimeInterval(delta == 0 ? 86_400 : delta)
            next.end = shape.end.addingTimeInterval(delta == 0 ? 86_400 : delta)
        case 2:
            let day = Int(((shape.start.timeIntervalSince1970 - Date().timeIntervalSince1970) / 86_400).rounded(.down)) + 1
            next = shape.allDay
                ? .timed(shape.title, day: max(1, day), hour: 9, zone: Self.zones.randomElement(using: &self.random)!)
                : .allDay(shape.title, day: max(1, day))
        default:
            next.timeZone = Self.zones.randomElement(using: &self.random)!
            next.title = "\(shape.title.split(separator: " ").first ?? "x") zoned \(self.counter)"
        }
        return next
    }

    mutating func pick<T>(_ items: [T]) -> T? {
        items.isEmpty ? nil : items[Int.random(in: 0..<items.count, using: &self.random)]
    }

    mutating func roll(_ sides: Int) -> Int {
        Int.random(in: 0..<sides, using: &self.random)
    }
}
