import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GGUF

/// Which model a session was made with: enough to warn on `--resume` with another model.
/// A local model is its GGUF file (name, size, header hash); a model on a server is the
/// server's URL (no credentials, no query string) and the served model's name, in
/// `server` and `fileName`, with size 0 and no hash.
public struct ModelIdentity: Codable, Sendable, Equatable {
    /// The GGUF file's name (no folder), or the served model's name.
    public var fileName: String
    /// The file's size in bytes (0 on a server).
    public var size: Int64
    /// "fnv1a64:<16 hex>" of the GGUF header and metadata bytes (everything before the
    /// tensor infos' data). FNV-1a is an identity check, not a security measure. "" on a server.
    public var headerHash: String
    /// The OpenAI-compatible server the model ran on; nil for a local file.
    public var server: String?

    public init(fileName: String, size: Int64, headerHash: String) {
        self.fileName = fileName; self.size = size; self.headerHash = headerHash
    }

    /// A model served by `server` under the name `model`.
    public init(server: String, model: String) {
        fileName = model; size = 0; headerHash = ""; self.server = server
    }

    /// "NAME" for a file, "NAME on URL" for a served model.
    public var label: String { server.map { "\(fileName) on \($0)" } ?? fileName }

    /// Identity of the file at `url`, hashing its first `headerBytes` bytes (the GGUF
    /// reader knows where the metadata ends; the lead passes that offset). A symbolic link
    /// is followed: name, size and bytes are the target's, so a link and its file agree.
    public static func of(fileAt url: URL, headerBytes: Int) throws -> ModelIdentity {
        let path = resolved(url.path)
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw SessionIOError("\(url.path): cannot open model file")
        }
        defer { try? h.close() }
        var st = stat()
        guard fstat(h.fileDescriptor, &st) == 0 else { throw SessionIOError("\(url.path): cannot stat model file") }
        let data = (try? h.read(upToCount: max(0, headerBytes))) ?? Data()
        return ModelIdentity(fileName: (path as NSString).lastPathComponent, size: Int64(st.st_size),
                             headerHash: fnv1a64Hex(data))
    }

    /// Identity of an opened GGUF file: its header, metadata and tensor table
    /// (`headerSize` bytes) hashed from the mapping; the name is the link target's.
    public static func of(_ gguf: GGUFFile) -> ModelIdentity {
        let bytes = UnsafeRawBufferPointer(start: gguf.mapping.base, count: min(gguf.headerSize, gguf.mapping.size))
        return ModelIdentity(fileName: (resolved(gguf.path) as NSString).lastPathComponent,
                             size: Int64(gguf.fileSize), headerHash: fnv1a64Hex(bytes))
    }

    /// `path` with every symbolic link resolved (`realpath`), or `path` itself when it
    /// cannot be resolved (the open that follows then reports the error).
    static func resolved(_ path: String) -> String {
        guard let p = realpath(path, nil) else { return path }
        defer { free(p) }
        return String(cString: p)
    }

    public static func fnv1a64Hex(_ bytes: some Sequence<UInt8>) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let hex = String(h, radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Nil if `other` is the same model, else a one-line warning.
    public func mismatch(with other: ModelIdentity) -> String? {
        if self == other { return nil }
        func describe(_ m: ModelIdentity) -> String {
            m.server == nil ? "\(m.fileName) (\(m.size) bytes, \(m.headerHash))" : m.label
        }
        return "session was made with \(describe(self)); now running \(describe(other))"
    }
}
