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
    /// No connection, a refused or reset connection before the reply began.
    case transport(String)
    /// The connection broke after the reply began (a reset, a proxy or server gone).
    case dropped(String)
    /// Nothing arrived for this many seconds (`OpenAIClient.idleTimeout`).
    case timedOut(Double)
    /// The server's reply is not what the protocol says (bad JSON, no choices…).
    case malformed(String)
    /// `PONDER_SERVER_TIMEOUT` is not a positive number of seconds.
    case badTimeout(String)
    /// The stream ended without a finish reason: the server went away mid-reply.
    case cutShort
    /// The config file or the API key file cannot be used (the text names the file).
    case config(String)

    public var description: String {
        switch self {
        case .badURL(let s): return "\(s) is not a server URL (expected http://HOST:PORT or https://HOST/v1)"
        case .credentialsInURL:
            return "the server URL carries credentials; give the API key in PONDER_API_KEY (or OPENAI_API_KEY) instead"
        case .status(0, let m): return "the server reported an error: \(m)"
        case .status(let code, let m): return "the server answered \(code)" + (m.isEmpty ? "" : ": \(m)")
        case .transport(let m): return "cannot reach the server: \(m)"
        case .dropped(let m): return "the connection to the server broke mid-reply: \(m)"
        case .timedOut(let s):
            return "the server sent nothing for \(Self.seconds(s)) s (the limit is PONDER_SERVER_TIMEOUT)"
        case .malformed(let m): return "the server's reply is not an OpenAI-compatible stream: \(m)"
        case .badTimeout(let v): return "PONDER_SERVER_TIMEOUT=\(v) is not a number of seconds (e.g. 60)"
        case .cutShort: return "the server closed the stream before the reply ended"
        case .config(let m): return m
        }
    }

    /// Seconds as the user wrote them: "2", "0.5".
    static func seconds(_ s: Double) -> String {
        s == s.rounded() && abs(s) < 1e15 ? String(Int(s)) : String(s)
    }

    /// `text` as one line of at most 300 characters without control characters and
    /// without the key: how anything a server sends is shown.
    static func oneLine(_ text: String, key: APIKey?) -> String {
        let one = text.unicodeScalars.map { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) ? " " : String($0) }.joined()
        let redacted = key.map { $0.redact(one) } ?? one
        return String(redacted.trimmingCharacters(in: .whitespaces).prefix(300))
    }
}
