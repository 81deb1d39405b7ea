import Foundation
import HTTPTypes
import Hummingbird

extension Reply {
    /// The Hummingbird response for this reply.
    var response: Response {
        var fields = HTTPFields()
        for (name, value) in self.headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: self.status),
            headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: self.body))
        )
    }
}

extension SandboxRequest {
    /// Reads a Hummingbird request (body up to 4 MiB).
    static func from(_ request: Request, fallbackHost: String) async throws -> SandboxRequest {
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        let buffer = try await request.body.collect(upTo: 4 << 20)
        let host = request.head.authority ?? headers["host"] ?? fallbackHost
        return SandboxRequest(
            method: request.method.rawValue,
            path: request.uri.path,
            query: FormEncoding.decode(request.uri.query ?? ""),
            headers: headers,
            body: Data(buffer.readableBytesView),
            baseURL: "http://\(host)",
            rawQuery: request.uri.query ?? ""
        )
    }
}
