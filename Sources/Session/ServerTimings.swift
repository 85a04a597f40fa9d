/// What a server says of its own work on one request (llama.cpp's `timings`), beside
/// what the client measured (`TurnStats.timeToFirstToken`, `decodeTokensPerSecond`).
public struct ServerTimings: Codable, Sendable, Equatable {
    /// Its prompt time, seconds.
    public var promptTime: Double
    /// Tokens it generated.
    public var generated: Int
    /// Tokens after the first over its generation time.
    public var decodeTokensPerSecond: Double

    public init(promptTime: Double, generated: Int, decodeTokensPerSecond: Double) {
        self.promptTime = promptTime; self.generated = generated; self.decodeTokensPerSecond = decodeTokensPerSecond
    }
}
