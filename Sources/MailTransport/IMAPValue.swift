/// One token of an IMAP response: an atom (numbers and flags included), a string (quoted or
/// literal), NIL, or a parenthesized list.
indirect enum IMAPValue: Equatable, Sendable {
    case atom(String)
    case quoted([UInt8])
    case literal([UInt8])
    case `nil`
    case list([IMAPValue])

    /// Atoms and strings as text (lossy UTF-8); nil for NIL and lists.
    var text: String? {
        switch self {
        case .atom(let atom): atom
        case .quoted(let bytes), .literal(let bytes): String(decoding: bytes, as: UTF8.self)
        case .nil, .list: nil
        }
    }

    /// String bytes (quoted or literal), atoms as their UTF-8.
    var bytes: [UInt8]? {
        switch self {
        case .atom(let atom): Array(atom.utf8)
        case .quoted(let bytes), .literal(let bytes): bytes
        case .nil, .list: nil
        }
    }

    var number: UInt64? {
        if case .atom(let atom) = self { return UInt64(atom) }
        return nil
    }

    var uid: UInt32? {
        if case .atom(let atom) = self { return UInt32(atom) }
        return nil
    }

    var list: [IMAPValue]? {
        if case .list(let values) = self { return values }
        return nil
    }

    /// Uppercased atom, for comparing keywords.
    var keyword: String? {
        if case .atom(let atom) = self { return atom.uppercased() }
        return nil
    }
}

/// OK, NO, BAD, BYE or PREAUTH.
enum IMAPStatus: String, Sendable {
    case ok = "OK", no = "NO", bad = "BAD", bye = "BYE", preauth = "PREAUTH"
}

/// The bracketed code of a status response: `[UIDVALIDITY 3]`, `[APPENDUID 38505 3955]`.
struct IMAPResponseCode: Equatable, Sendable {
    var name: String
    var arguments: [IMAPValue]
}

/// One whole server response.
enum IMAPResponse: Equatable, Sendable {
    /// `tag OK|NO|BAD [code] text`
    case tagged(tag: String, status: IMAPStatus, code: IMAPResponseCode?, text: String)
    /// `* OK|NO|BAD|BYE|PREAUTH [code] text`
    case status(IMAPStatus, code: IMAPResponseCode?, text: String)
    /// Any other `* …` response as its tokens: `* 3 FETCH (…)` is `[3, FETCH, (…)]`.
    case data([IMAPValue])
    /// `+ text`: the server waits for a literal or a SASL answer.
    case continuation(String)
}
