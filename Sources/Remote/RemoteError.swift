/// Why a request to an OpenAI-compatible server failed, in one line for the user. No
/// case ever carries the API key: `APIKey.redact` runs over anything the server echoes.
public enum RemoteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `--server` value is not a usable http(s) URL.
    case badURL(String)
    /// The URL carries a user name or password (credentials come from the environment).
    case credentialsInURL
    /// The server answered with a non-2xx status (0: an error object inside the stream);
    /// the text is the server's message, cleaned.
    case status(Int, String)
    /// No connection, a reset, a timeout.
    case transport(String)
    /// The server's reply is not what the protocol says (bad JSON, no choices…).
    case malformed(String)
    /// The stream ended without a finish reason: the server went away mid-reply.
    case cutShort

    public var description: String {
        switch self {
        case .badURL(let s): return "\(s) is not a server URL (expected http://HOST:PORT or https://HOST/v1)"
        case .credentialsInURL:
            return "the server URL carries credentials; give the API key in PONDER_API_KEY (or OPENAI_API_KEY) instead"
        case .status(0, let m): return "the server reported an error: \(m)"
        case .status(let code, let m): return "the server answered \(code)" + (m.isEmpty ? "" : ": \(m)")
        case .transport(let m): return "cannot reach the server: \(m)"
        case .malformed(let m): return "the server's reply is not an OpenAI-compatible stream: \(m)"
        case .cutShort: return "the server closed the stream before the reply ended"
        }
    }
}
