import Foundation
import Hummingbird
import NIOCore

/// A request body type that names every field it accepts, so unknown fields are refused
/// instead of silently ignored (a misspelt `sync_enabled` must not look like success).
protocol JSONRequestBody: Decodable, Sendable {
    static var fields: Set<String> { get }
}

extension Request {
    /// Reads and decodes a JSON object body: 415 unless `application/json`, 413 beyond
    /// `maxBytes`, 400 for malformed JSON, unknown fields, `null` values (`invalid_value`),
    /// missing fields or wrong types. Error
    /// messages name the field, never echo the value.
    mutating func decodeJSONBody<Body: JSONRequestBody>(_ type: Body.Type, maxBytes: Int) async throws -> Body {
        let contentType = self.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else { throw APIError.unsupportedMediaType }
        let buffer: ByteBuffer
        do {
            buffer = try await self.collectBody(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge
        }
        let data = Data(buffer: buffer)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw APIError.badRequest("invalid_json", "the body must be a JSON object")
        }
        let unknown = Set(object.keys).subtracting(Body.fields).sorted()
        guard unknown.isEmpty else {
            throw APIError.badRequest("unknown_field", "unknown field(s): \(unknown.joined(separator: ", "))")
        }
        // No field of any body is nullable (the OpenAPI document says so): `null` is refused,
        // never read as "absent".
        let nulls = object.filter { $0.value is NSNull }.keys.sorted()
        guard nulls.isEmpty else {
            throw APIError.badRequest("invalid_value", "field(s) may not be null: \(nulls.joined(separator: ", "))")
        }
        do {
            return try JSONCoding.decoder().decode(Body.self, from: data)
        } catch let error as DecodingError {
            throw APIError.badRequest("invalid_field", Self.explain(error))
        } catch let error as APIError {
            throw error
        }
    }

    private static func explain(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field: \(path(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "field \(path(context.codingPath)) has the wrong type"
        case .dataCorrupted(let context):
            return "field \(path(context.codingPath)) has an invalid value"
        @unknown default:
            return "the body does not match the expected shape"
        }
    }
}

/// Path parameters that must be uuids: a malformed one is a 400, not a database error.
extension Parameters {
    func requireUUID(_ name: String) throws -> UUID {
        guard let text = self.get(name), let uuid = UUID(uuidString: text) else {
            throw APIError.badRequest("invalid_id", "\(name) must be a uuid")
        }
        return uuid
    }
}
