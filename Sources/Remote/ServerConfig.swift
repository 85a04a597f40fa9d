import Foundation
import Session

/// The server defaults in `$XDG_CONFIG_HOME/ponder/config.toml` (else
/// `~/.config/ponder/config.toml`), a `TOMLSubset` file:
///
///     server = "http://gpu-box:8000"
///     served_model = "nvidia/Llama-3_3-Nemotron-Super-49B-v1_5"
///     api_key_file = "~/.config/ponder/api-key"     # chmod 600
///
/// Each setting is the last resort: a flag beats `PONDER_*`, which beats the file
/// (`resolve`). The key itself is never in this file, only the name of the file holding
/// it (`APIKey`). A missing file is no error; a bad one is one line naming file and line.
public struct ServerConfig: Sendable, Equatable {
    public var server: String?
    public var servedModel: String?
    /// The API key file, `~` expanded and relative to the config file's directory.
    public var apiKeyFile: String?

    public init(server: String? = nil, servedModel: String? = nil, apiKeyFile: String? = nil) {
        self.server = server; self.servedModel = servedModel; self.apiKeyFile = apiKeyFile
    }

    /// The keys the file may hold, each a string.
    static let keys = ["server", "served_model", "api_key_file"]

    /// `$XDG_CONFIG_HOME/ponder/config.toml`, else `$HOME/.config/ponder/config.toml`.
    public static func defaultPath(environment env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let x = env["XDG_CONFIG_HOME"], !x.isEmpty { return x + "/ponder/config.toml" }
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.homeDirectoryForCurrentUser.path
        return home + "/.config/ponder/config.toml"
    }

    /// The settings of the config file, or none when there is no file.
    public static func load(environment env: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerConfig {
        let path = defaultPath(environment: env)
        let bytes: [UInt8]
        do {
            guard let b = try RegularFile.readIfPresent(path, limit: TOMLSubset.maxBytes) else { return ServerConfig() }
            bytes = b
        } catch {
            throw RemoteError.config("\(error)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw RemoteError.config("\(path): not UTF-8 text")
        }
        return try parse(text, file: path, home: env["HOME"])
    }

    /// The settings in `text`, the contents of `file`.
    public static func parse(_ text: String, file: String, home: String? = nil) throws -> ServerConfig {
        func bad(_ line: Int, _ message: String) -> RemoteError { .config("\(file):\(line): \(message)") }
        let doc: TOMLSubset.Document, lines: TOMLSubset.Lines
        switch TOMLSubset.parseWithLines(text) {
        case .failure(let e): throw bad(e.line, e.message)
        case .success(let parsed): (doc, lines) = parsed
        }
        if let section = doc.keys.filter({ !$0.isEmpty }).sorted().first {
            let line = text.split(separator: "\n", omittingEmptySubsequences: false)
                .firstIndex { $0.contains("[\(section)]") }.map { $0 + 1 } ?? 0
            throw bad(line, "unknown section [\(section)] (the file holds \(keys.joined(separator: ", ")) only)")
        }
        var config = ServerConfig()
        let root = doc[""] ?? [:]
        for (key, value) in root.sorted(by: { (lines[""]?[$0.key] ?? 0) < (lines[""]?[$1.key] ?? 0) }) {
            let line = lines[""]?[key] ?? 0
            guard keys.contains(key) else {
                throw bad(line, "unknown key \(key) (known: \(keys.joined(separator: ", ")))")
            }
            guard case .string(let s) = value, !s.isEmpty else { throw bad(line, "\(key) must be a non-empty \"string\"") }
            switch key {
            case "server": config.server = s
            case "served_model": config.servedModel = s
            default: config.apiKeyFile = expand(s, relativeTo: (file as NSString).deletingLastPathComponent, home: home)
            }
        }
        return config
    }

    /// `~/x` under the home directory, `x` under `dir`, `/x` as it is.
    static func expand(_ path: String, relativeTo dir: String, home: String?) -> String {
        if path.hasPrefix("/") { return path }
        if path == "~" || path.hasPrefix("~/") {
            let h = home.flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.homeDirectoryForCurrentUser.path
            return h + path.dropFirst()
        }
        return dir + "/" + path
    }

    /// The server to use: `flag`, else `$PONDER_SERVER`, else the file's (nil: none).
    public func server(flag: String?, environment env: [String: String]) -> String? {
        Self.pick(flag, env["PONDER_SERVER"], server)
    }

    /// The served model: `flag`, else `$PONDER_SERVED_MODEL`, else the file's.
    public func servedModel(flag: String?, environment env: [String: String]) -> String? {
        Self.pick(flag, env["PONDER_SERVED_MODEL"], servedModel)
    }

    /// The first of the values that is set and not empty.
    static func pick(_ values: String?...) -> String? {
        values.lazy.compactMap { $0 }.first { !$0.isEmpty }
    }
}
