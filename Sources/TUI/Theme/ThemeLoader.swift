import Foundation
import Session

/// Finds themes by name: the user's directory first (`$XDG_CONFIG_HOME/ponder/themes`,
/// else `~/.config/ponder/themes`), then the built-in ones. A bad file is a one-line
/// error; the caller keeps (or falls back to) the default theme.
public enum ThemeLoader {
    /// The user's theme directory.
    public static func userDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let x = environment["XDG_CONFIG_HOME"], !x.isEmpty {
            return URL(fileURLWithPath: x).appendingPathComponent("ponder/themes")
        }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".config/ponder/themes")
    }

    /// Loads theme `name` (letters, digits, `-` and `_` only: never a path).
    public static func load(_ name: String, userDirectory dir: URL? = nil) -> Result<Theme, Theme.LoadError> {
        guard !name.isEmpty, name.count <= 64,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            return .failure(Theme.LoadError(description: "theme names use letters, digits, - and _ only"))
        }
        let file = (dir ?? userDirectory()).appendingPathComponent(name + ".toml")
        do {
            if let bytes = try RegularFile.readIfPresent(file.path, limit: TOMLSubset.maxBytes) {
                return Theme.parse(String(decoding: bytes, as: UTF8.self), name: name, base: .fallback)
            }
        } catch {
            return .failure(Theme.LoadError(description: "theme \(name): \(error)"))
        }
        if let text = BuiltinThemes.text[name] {
            return Theme.parse(text, name: name, base: .fallback)
        }
        let known = (BuiltinThemes.names + userThemeNames(dir)).joined(separator: ", ")
        return .failure(Theme.LoadError(description: "no theme \(name) (known: \(known))"))
    }

    /// Names of `*.toml` files in the user's theme directory.
    static func userThemeNames(_ dir: URL?) -> [String] {
        let d = dir ?? userDirectory()
        let files = (try? FileManager.default.contentsOfDirectory(atPath: d.path)) ?? []
        return files.filter { $0.hasSuffix(".toml") }.map { String($0.dropLast(5)) }.sorted()
    }
}
