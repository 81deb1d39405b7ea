import CRMSyncSupport
import Foundation

extension JSONValue {
    /// Member of an object, or nil.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Integer value; numeric strings count too (Google sends `expiration` either way).
    var int: Int? {
        switch self {
        case .int(let value): return value
        case .double(let value): return Int(value)
        case .string(let value): return Int(value)
        default: return nil
        }
    }

    var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var object: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Parses a request body; nil when it is not a JSON object.
    static func parseObject(_ data: Data) -> [String: JSONValue]? {
        guard !data.isEmpty else { return nil }
        return (try? JSONDecoder().decode(JSONValue.self, from: data))?.object
    }

    /// Compact JSON with sorted keys, so equal states always serialize alike.
    func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("null".utf8)
    }

    /// Deep merge with patch semantics: objects merge, anything else replaces, null removes.
    static func merge(_ base: [String: JSONValue], _ patch: [String: JSONValue]) -> [String: JSONValue] {
        var result = base
        for (key, value) in patch {
            switch (result[key], value) {
            case (_, .null):
                result[key] = nil
            case (.object(let old)?, .object(let new)):
                result[key] = .object(Self.merge(old, new))
            default:
                result[key] = value
            }
        }
        return result
    }
}
