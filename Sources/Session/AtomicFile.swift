import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `AtomicFile.write(…, overwrite: false)` found the name taken (nothing was written).
public struct FileExistsError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public init(path: String) { self.path = path }
    public var description: String { "\(path) already exists; not overwriting it" }
}

/// Writes whole files atomically: a temp file in the same folder, fsync, then rename (or
/// link, when overwriting is not allowed), then fsync of the folder. A crash at any
/// moment leaves either the old file or the new one, never a mix; at worst a stray
/// `.NAME.tmp-*` file.
public enum AtomicFile {
    /// - Parameter overwrite: replace an existing file. When false an existing file is
    ///   an error and the check is race-free (link(2) fails with EEXIST).
    public static func write(_ bytes: [UInt8], to url: URL, overwrite: Bool) throws {
        try write(to: url, overwrite: overwrite) { fd, path in try FileIO.writeAll(fd, bytes, path: path) }
    }

    /// `write`, the content produced by `body` on the temp file's descriptor (for a file
    /// too large to hold as one array: a saved KV cache). `body` gets the destination's
    /// path for its error messages: every error names the file the caller asked for,
    /// never the temp file (which is gone by the time the error is read).
    public static func write(to url: URL, overwrite: Bool, _ body: (Int32, String) throws -> Void) throws {
        let path = url.path
        let dir = url.deletingLastPathComponent().path
        let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = try FileIO.open(tmp, exclusive: true, append: false, name: path)
        do {
            try body(fd, path)
            try FileIO.fsync(fd, path: path)
            close(fd)
        } catch {
            close(fd); unlink(tmp); throw error
        }
        if overwrite {
            if rename(tmp, path) != 0 { let e = FileIO.errno("cannot rename into place", path); unlink(tmp); throw e }
        } else {
            if link(tmp, path) != 0 {
                let exists = errno == EEXIST
                let e = FileIO.errno("cannot create", path)
                unlink(tmp)
                throw exists ? FileExistsError(path: path) : e
            }
            unlink(tmp)
        }
        try FileIO.fsyncDirectory(of: path)
    }
}
