import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// One JSON dialect for every response and request body: snake_case keys are spelled out in
/// each type's `CodingKeys`, dates are RFC 3339 in UTC.
enum JSONCoding {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// A JSON response with `status`.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, requestID: String? = nil) throws -> Response {
        let data = try Self.encoder().encode(value)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let requestID { headers[.requestID] = requestID }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let organizationID = HTTPField.Name("X-Organization-Id")!
}

extension UUID {
    /// The form Postgres prints and callers compare (JSONEncoder would write upper case).
    var lowercased: String { self.uuidString.lowercased() }
}
