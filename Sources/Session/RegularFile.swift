import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one reader of the files Ponder reads as a whole (sessions, journals, the input
/// history, key bindings, themes): anything but a regular file is refused before a byte
/// is read, with one line naming the path. The input history is appended to through it too.
///
/// The file is opened with `O_NONBLOCK`, so a FIFO with no writer does not block in
/// `open`, then `fstat`ed on the open descriptor (no window between check and read): a
/// FIFO, a directory, `/dev/zero` or a socket is "not a regular file" at once. The size
/// is checked against `limit` before reading and the read stops at the size seen then.
public enum RegularFile {
    /// All bytes of the regular file at `path`; throws a one-line `SessionIOError`.
    public static func read(_ path: String, limit: Int) throws -> [UInt8] {
        try read(path, limit: limit, missingIsNil: false)!
    }

    /// `read`, or nil when nothing exists at `path` (a missing optional file is no error).
    public static func readIfPresent(_ path: String, limit: Int) throws -> [UInt8]? {
        try read(path, limit: limit, missingIsNil: true)
    }

    /// `read` for a secret (an API key file): a file that its group or other users can
    /// read or write is refused too, with one line naming the path and the fix.
    public static func readPrivate(_ path: String, limit: Int) throws -> [UInt8] {
        try read(path, limit: limit, missingIsNil: false, privateOnly: true)!
    }

    /// The existing regular file at `path` opened for appending, or a one-line error: a
    /// FIFO (which would block `open` until a reader came), a directory or a device is
    /// refused the same way as by `read`.
    public static func openForAppending(_ path: String) throws -> FileHandle {
        let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        if fd < 0 { throw FileIO.errno("cannot open", path) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw SessionIOError("\(path): not a regular file")
        }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// The regular file at `path` opened for reading, and its size (checked against
    /// `limit`), for a reader that streams it (a saved KV cache) rather than holding it
    /// whole; nil when nothing exists there. The caller closes the descriptor.
    /// `privateOnly`: refused too when its group or other users can read or change it.
    public static func openIfPresent(_ path: String, limit: Int, privateOnly: Bool = false) throws -> (fd: Int32, size: Int)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw FileIO.errno("cannot open", path)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { let e = FileIO.errno("cannot stat", path); close(fd); throw e }
        guard st.st_mode & S_IFMT == S_IFREG else { close(fd); throw SessionIOError("\(path): not a regular file") }
        if privateOnly, st.st_mode & 0o077 != 0 {
            close(fd)
            throw SessionIOError("\(path): other users can read or change it (chmod 600 \(path))")
        }
        guard st.st_size <= limit else {
            close(fd)
            throw SessionIOError("\(path): file too large (\(st.st_size) bytes, limit \(limit))")
        }
        return (fd, Int(st.st_size))
    }

    /// Reads up to `buffer.count` bytes from `fd` (retrying EINTR and short reads);
    /// returns the bytes read (fewer only at the end of the file).
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = Glibc.read(fd, buffer.baseAddress! + done, buffer.count - done)
            if n < 0 { if errno == EINTR { continue }; throw FileIO.errno("read failed", path) }
            if n == 0 { break }
            done += n
        }
        return done
    }

    private static func read(_ path: String, limit: Int, missingIsNil: Bool, privateOnly: Bool = false) throws -> [UInt8]? {
        guard let (fd, size) = try openIfPresent(path, limit: limit, privateOnly: privateOnly) else {
            if missingIsNil { return nil }
            errno = ENOENT
            throw FileIO.errno("cannot open", path)
        }
        defer { close(fd) }
        var out = [UInt8](repeating: 0, count: size)
        let done = try out.withUnsafeMutableBytes { try read(fd, into: $0, path: path) }
        return Array(out[..<done])
    }
}
