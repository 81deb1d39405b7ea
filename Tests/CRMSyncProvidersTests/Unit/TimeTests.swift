import Foundation
import Testing
@testable import CRMSyncProviders

@Suite struct TimeTests {
    @Test func localDateParsesAndRejects() {
        #expect(LocalDate(iso: "2026-03-08") == LocalDate(year: 2026, month: 3, day: 8))
        #expect(LocalDate(iso: "2026-02-29") == nil)
        #expect(LocalDate(iso: "2024-02-29") != nil)
        #expect(LocalDate(iso: "2026-3-8") == nil)
        #expect(LocalDate(iso: "2026-03-08T00:00") == nil)
    }

    @Test func localDateArithmetic() {
        #expect(LocalDate(iso: "1970-01-01")?.daysSinceEpoch == 0)
        #expect(LocalDate(iso: "2000-03-01")?.daysSinceEpoch == 11_017)
        #expect(LocalDate(iso: "1969-12-31")?.daysSinceEpoch == -1)
        #expect(Fixtures.day("2026-02-28").adding(days: 1) == Fixtures.day("2026-03-01"))
        #expect(Fixtures.day("2024-12-31").adding(days: 1).iso == "2025-01-01")
        for days in stride(from: -1000, through: 40_000, by: 37) {
            #expect(LocalDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
    }

    @Test func rfc3339ParsesOffsetsAndFractions() {
        #expect(RFC3339.parse("2026-03-08T09:00:00-08:00") == Date(timeIntervalSince1970: 1_772_989_200))
        #expect(RFC3339.parse("2026-03-08T17:00:00Z") == Date(timeIntervalSince1970: 1_772_989_200))
        #expect(RFC3339.parse("2026-03-08T17:00:00.250Z") == Date(timeIntervalSince1970: 1_772_989_200.25))
        #expect(RFC3339.parse("2026-03-01T10:00:00.1234567Z") != nil)
        #expect(RFC3339.parse("2026-03-08T17:00:00") == nil)
        #expect(RFC3339.parse("not a date") == nil)
    }

    @Test func rfc3339FormatsInAZone() throws {
        let instant = Fixtures.date("2026-03-08T17:00:00Z")
        #expect(RFC3339.format(instant) == "2026-03-08T17:00:00Z")
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        #expect(RFC3339.format(instant, in: berlin) == "2026-03-08T18:00:00+01:00")
        let summer = Fixtures.date("2026-07-01T12:00:00Z")
        #expect(RFC3339.format(summer, in: berlin) == "2026-07-01T14:00:00+02:00")
    }

    @Test func wallTimeInZoneAcrossDST() throws {
        let losAngeles = try #require(TimeZone(identifier: "America/Los_Angeles"))
        let before = try #require(WallTime(parsing: "2026-03-07T09:00:00.0000000"))
        let after = try #require(WallTime(parsing: "2026-03-09T09:00:00.0000000"))
        #expect(before.instant(in: losAngeles) == Fixtures.date("2026-03-07T17:00:00Z"))
        #expect(after.instant(in: losAngeles) == Fixtures.date("2026-03-09T16:00:00Z"))
        let gap = try #require(WallTime(parsing: "2026-03-08T02:30:00"))
        #expect(gap.instant(in: losAngeles) == Fixtures.date("2026-03-08T10:30:00Z"))
        #expect(WallTime(Fixtures.date("2026-03-09T16:00:00Z"), in: losAngeles).formatted(fractionDigits: 7) == "2026-03-09T09:00:00.0000000")
    }

    @Test func windowsZoneTableNamesRealZones() {
        #expect(WindowsTimeZones.windowsToIANA.count >= 60)
        for (windows, iana) in WindowsTimeZones.windowsToIANA {
            #expect(TimeZone(identifier: iana) != nil, "\(windows) → \(iana)")
        }
        #expect(WindowsTimeZones.ianaName(forGraphZone: "Pacific Standard Time") == "America/Los_Angeles")
        #expect(WindowsTimeZones.ianaName(forGraphZone: "W. Europe Standard Time") == "Europe/Berlin")
        #expect(WindowsTimeZones.ianaName(forGraphZone: "Europe/Paris") == "Europe/Paris")
        #expect(WindowsTimeZones.ianaName(forGraphZone: "tzone://Microsoft/Custom") == nil)
        #expect(WindowsTimeZones.windowsName(forIANA: "Europe/Berlin") == "W. Europe Standard Time")
        #expect(WindowsTimeZones.windowsName(forIANA: "Asia/Calcutta") == "India Standard Time")
    }
}
