import Foundation

/// The full-screen chat's input history as the line mode sees it: the same file and the
/// same format (`InputHistory`), so Up in either mode recalls what was typed in the other.
/// Readline's own history file format differs, so readline only ever gets entries in
/// memory (`Readline.addHistory`) and never reads or writes a file itself.
public struct LineHistory: Sendable {
    /// The history file; nil = do not persist.
    public let url: URL?

    public init(url: URL? = InputHistory.defaultURL()) { self.url = url }

    /// The entries on disk, oldest first (empty when the file is missing or unusable).
    public func entries() -> [String] { url.map(InputHistory.load) ?? [] }

    /// Appends one entry to the file.
    public func append(_ entry: String) {
        if let url { InputHistory.append(entry, to: url) }
    }
}
