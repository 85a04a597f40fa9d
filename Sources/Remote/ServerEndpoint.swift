import Foundation

/// Where an OpenAI-compatible server lives: the base URL under which `chat/completions`
/// and `models` are found (`http://127.0.0.1:8080` → `http://127.0.0.1:8080/v1`; a URL
/// with a path is taken as the base: `https://integrate.api.nvidia.com/v1`).
///
/// Credentials never travel in the URL (refused: they would end up in shell history, the
/// journal and error messages); the query string is kept for the requests (some gateways
/// need one) but left out of `display`, which is what sessions record and the screen shows.
public struct ServerEndpoint: Sendable, Equatable {
    /// The base, without a trailing slash.
    public let base: URL
    /// `scheme://host[:port]/path`: no credentials, query or fragment.
    public let display: String
    private let query: String?

    public init(_ text: String) throws(RemoteError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let c = URLComponents(string: trimmed), let scheme = c.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = c.host, !host.isEmpty else {
            throw .badURL(String(trimmed.prefix(200)))
        }
        guard c.user == nil, c.password == nil else { throw .credentialsInURL }
        var path = c.path
        while path.hasSuffix("/") { path.removeLast() }
        if path.isEmpty { path = "/v1" }
        for suffix in ["/chat/completions", "/models"] where path.hasSuffix(suffix) {
            path.removeLast(suffix.count)      // the user pasted an endpoint, not the base
        }
        var b = URLComponents()
        b.scheme = scheme; b.host = host; b.port = c.port; b.path = path
        guard let url = b.url else { throw .badURL(String(trimmed.prefix(200))) }
        base = url
        display = url.absoluteString
        query = c.percentEncodedQuery
    }

    /// The one-line warning an `http://` server off this machine gets (nil for https and
    /// for loopback: `localhost`, 127.0.0.0/8, `::1`).
    public var plainTextWarning: String? {
        guard base.scheme == "http", let host = base.host?.lowercased() else { return nil }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let loopback = bare == "localhost" || bare.hasSuffix(".localhost") || bare == "::1"
            || (bare.hasPrefix("127.") && bare.split(separator: ".").count == 4 && bare.split(separator: ".").allSatisfy { UInt8($0) != nil })
        return loopback ? nil : "\(display) is http://: the conversation (and the API key) travels unencrypted"
    }

    /// `base/path` with the query string of the given URL.
    public func url(_ path: String) -> URL {
        var c = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        c.percentEncodedQuery = query
        return c.url!
    }
}
