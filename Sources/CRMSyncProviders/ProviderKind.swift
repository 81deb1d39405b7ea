/// The calendar providers crmsync syncs with.
public enum CalendarProviderKind: String, Sendable, CaseIterable, Codable {
    case google
    case outlook
}
