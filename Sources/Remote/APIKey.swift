import Foundation

/// The bearer token for the server: from `PONDER_API_KEY`, else `OPENAI_API_KEY`, else
/// the first line of the file named by `PONDER_API_KEY_FILE`. Never from the command
/// line, never written to a journal, a session file, the screen or an error message:
/// `description` hides it, and `redact` removes it from text a server echoes back.
public struct APIKey: Sendable, CustomStringConvertible {
    let value: String

    public init?(_ value: String) {
        let v = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !v.isEmpty else { return nil }
        self.value = v
    }

    public var description: String { "(API key hidden)" }

    /// The key the environment gives, if any. A key file that cannot be read is an error
    /// (a silent fallback to no key would look like a server refusing the user).
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> APIKey? {
        for name in ["PONDER_API_KEY", "OPENAI_API_KEY"] {
            if let v = env[name], let k = APIKey(v) { return k }
        }
        guard let path = env["PONDER_API_KEY_FILE"], !path.isEmpty else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RemoteError.transport("cannot read the API key file \(path) (PONDER_API_KEY_FILE)")
        }
        let first = String(decoding: data.prefix(4096), as: UTF8.self).split(whereSeparator: \.isNewline).first
        return first.flatMap { APIKey(String($0)) }
    }

    /// `text` with every occurrence of the key replaced.
    public func redact(_ text: String) -> String {
        text.replacingOccurrences(of: value, with: "(API key hidden)")
    }

    var authorization: String { "Bearer " + value }
}
