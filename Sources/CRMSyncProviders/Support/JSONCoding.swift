import Foundation

/// JSON encoding and decoding with errors mapped to `ProviderError`.
enum JSONCoding {
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String) throws(ProviderError) -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw .invalidResponse("\(what) is not the expected JSON")
        }
    }

    static func encode<T: Encodable>(_ value: T) throws(ProviderError) -> Data {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return try encoder.encode(value)
        } catch {
            throw .invalidArgument("cannot encode request body")
        }
    }

    static let headers = ["Content-Type": "application/json", "Accept": "application/json"]
}
