import Foundation

/// The parts of a provider error body the classifier reads: Google's
/// `{"error":{"errors":[{"reason"}],"code","message"}}`, Graph's
/// `{"error":{"code","message"}}` and OAuth's `{"error","error_description","error_codes"}`.
struct ProviderErrorBody: Sendable, Hashable {
    /// Google's `errors[].reason` values.
    var reasons: [String] = []
    /// Graph's `error.code` (or Google's `error.status`).
    var code: String?
    /// The human-readable message.
    var message: String?
    /// The OAuth `error` code.
    var oauthError: String?
    /// Microsoft's AADSTS numbers.
    var aadstsCodes: [Int] = []

    init(data: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return }
        if let error = object["error"] as? [String: Any] {
            self.code = (error["code"] as? String) ?? (error["status"] as? String)
            self.message = error["message"] as? String
            let errors = error["errors"] as? [[String: Any]] ?? []
            self.reasons = errors.compactMap { $0["reason"] as? String }
        } else if let error = object["error"] as? String {
            self.oauthError = error
            self.message = object["error_description"] as? String
            self.aadstsCodes = (object["error_codes"] as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.intValue }
            if self.aadstsCodes.isEmpty, let message = self.message, message.hasPrefix("AADSTS") {
                let digits = message.dropFirst(6).prefix { $0.isNumber }
                if let number = Int(digits) { self.aadstsCodes = [number] }
            }
        }
    }

    /// The reason to report: Google's first reason, else Graph's code, else the OAuth error.
    var primaryReason: String? { self.reasons.first ?? self.code ?? self.oauthError }

    func hasReason(in set: Set<String>) -> Bool {
        let lowered = Set(set.map { $0.lowercased() })
        return (self.reasons + [self.code].compactMap { $0 }).contains { lowered.contains($0.lowercased()) }
    }
}
