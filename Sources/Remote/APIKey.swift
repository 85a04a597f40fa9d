import Foundation
import Session

/// The bearer token for the server: from `PONDER_API_KEY`, else `OPENAI_API_KEY`, else
/// the first line of the file named by `PONDER_API_KEY_FILE`, else of the config file's
/// `api_key_file` (`ServerConfig`). The key file must be a regular file that only its
/// owner can read (as ssh asks of a private key). Never from the command
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

    /// The key the environment (or, after it, `configKeyFile`) gives, if any. A key file
    /// that cannot be read is an error (a silent fallback to no key would look like a
    /// server refusing the user); the error names the file, never its contents.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment,
                                       configKeyFile: String? = nil) throws -> APIKey? {
        for name in ["PONDER_API_KEY", "OPENAI_API_KEY"] {
            if let v = env[name], let k = APIKey(v) { return k }
        }
        let source: (path: String, origin: String)
        if let path = env["PONDER_API_KEY_FILE"], !path.isEmpty {
            source = (path, "PONDER_API_KEY_FILE")
        } else if let path = configKeyFile, !path.isEmpty {
            source = (path, "api_key_file in the config file")
        } else {
            return nil
        }
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.readPrivate(source.path, limit: 64 * 1024)
        } catch {
            throw RemoteError.config("the API key file (\(source.origin)): \(error)")
        }
        let first = String(decoding: bytes.prefix(4096), as: UTF8.self).split(whereSeparator: \.isNewline).first
        guard let key = first.flatMap({ APIKey(String($0)) }) else {
            throw RemoteError.config("the API key file \(source.path) (\(source.origin)) is empty")
        }
        return key
    }

    /// `text` with every occurrence of the key replaced.
    public func redact(_ text: String) -> String {
        text.replacingOccurrences(of: value, with: "(API key hidden)")
    }

    var authorization: String { "Bearer " + value }
}
