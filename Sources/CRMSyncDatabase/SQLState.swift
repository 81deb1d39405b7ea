import PostgresClient

/// The SQLSTATEs crmsync's own SQL raises (sql/160_secrets.sql, sql/180_secret_rotation.sql).
/// The standard ones are named on `PostgresError.Code` itself; only these two places spell codes.
extension PostgresError.Code {
    /// `CSK01`: the transaction holds no encryption key (`crmsync.token_key` unset).
    public static let secretKeyMissing = Self("CSK01")
    /// `CSK02`: the secret was encrypted with another key (its fingerprint differs).
    public static let secretKeyMismatch = Self("CSK02")
    /// `CSK03`: the transaction's key is shorter than 32 characters.
    public static let secretKeyTooShort = Self("CSK03")
    /// `CSK04`: a rotation batch without a distinct old key (`crmsync.old_token_key`).
    public static let rotationKeyMissing = Self("CSK04")
}
