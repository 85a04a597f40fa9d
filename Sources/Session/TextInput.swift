import Foundation

/// Text read from a file or standard input, byte-exact: the bytes are validated as UTF-8
/// and decoded by the standard library, so a leading U+FEFF byte-order mark stays in the
/// text. (Foundation's `String(data:encoding: .utf8)` drops it, and tokenizers such as
/// Llama-3's give U+FEFF a token of its own.)
public enum TextInput {
    /// A one-line failure naming what was read (`"notes.txt: not valid UTF-8 text"`).
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// `bytes` as a string, or nil when they are not valid UTF-8.
    public static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    /// `bytes` as a string; `source` names them in the error.
    public static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes, source: String) throws(Failure) -> String {
        guard let s = decode(bytes) else { throw Failure(description: "\(source): not valid UTF-8 text") }
        return s
    }

    /// The whole file at `path` (`-` is standard input) as text.
    public static func read(path: String) throws(Failure) -> String {
        if path == "-" { return try readStandardInput() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "cannot read \(path)")
        }
        return try decode(data, source: path)
    }

    /// All of standard input as text.
    public static func readStandardInput() throws(Failure) -> String {
        try decode(FileHandle.standardInput.readDataToEndOfFile(), source: "standard input")
    }
}
