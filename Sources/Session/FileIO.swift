import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A persistence failure, one line, naming the file.
public struct SessionIOError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Small POSIX helpers for crash-safe files: whole writes, fsync of files and folders.
enum FileIO {
    static func errno(_ what: String, _ path: String) -> SessionIOError {
        SessionIOError("\(path): \(what): \(String(cString: strerror(Glibc.errno)))")
    }

    /// Opens for writing: `exclusive` creates a new file (fails if one exists); `append`
    /// opens an existing file at its end; neither creates or truncates. An error names
    /// `name` (default: `path`).
    static func open(_ path: String, exclusive: Bool, append: Bool, name: String? = nil) throws -> Int32 {
        var flags = O_WRONLY | O_CLOEXEC
        if exclusive { flags |= O_CREAT | O_EXCL }
        if append { flags |= O_APPEND } else if !exclusive { flags |= O_CREAT | O_TRUNC }
        let fd = Glibc.open(path, flags, 0o644)
        if fd < 0 { throw errno("cannot create", name ?? path) }
        return fd
    }

    /// Writes all of `bytes` (retrying short writes and EINTR).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) }
    }

    /// `writeAll` of a buffer: at the file's position, or at byte `offset` when given.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int? = nil, path: String) throws {
        var done = 0
        while done < bytes.count {
            let p = bytes.baseAddress! + done, left = bytes.count - done
            let n = offset.map { pwrite(fd, p, left, off_t($0 + done)) } ?? Glibc.write(fd, p, left)
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                throw errno("write failed", path)
            }
            done += n
        }
    }

    static func fsync(_ fd: Int32, path: String) throws {
        if Glibc.fsync(fd) != 0 { throw errno("fsync failed", path) }
    }

    /// Makes a directory entry (create, rename) durable.
    static func fsyncDirectory(of path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let fd = Glibc.open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw errno("cannot open folder", dir) }
        defer { close(fd) }
        try fsync(fd, path: dir)
    }

    static func makeDirectories(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        catch { throw SessionIOError("\(path): cannot create folder") }
    }
}

/// Where sessions live: `$XDG_DATA_HOME/ponder/sessions`, else `~/.local/share/ponder/sessions`.
public enum SessionPaths {
    public static func sessionsDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let x = environment["XDG_DATA_HOME"], x.hasPrefix("/") {
            return URL(fileURLWithPath: x).appendingPathComponent("ponder/sessions")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.path
        return URL(fileURLWithPath: home).appendingPathComponent(".local/share/ponder/sessions")
    }

    /// A timestamped name, e.g. `2026-11-23T14-52-58Z-12345` (UTC, then the pid, so two
    /// processes never pick the same name).
    public static func timestampName(date: Date = Date()) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH-mm-ss'Z'"
        return "\(f.string(from: date))-\(getpid())"
    }

    /// Creates a new file in `directory` named `timestampName(date).ext`, or, when this
    /// process already made one in the same second, `…-2.ext`, `…-3.ext` and so on.
    /// `create` must make the file exclusively and throw `FileExistsError` when the name
    /// is taken (as `AtomicFile.write(overwrite: false)` does): the file system decides,
    /// so no name is ever used twice and no file is replaced.
    public static func createUnique<T>(in directory: URL, ext: String, date: Date = Date(),
                                       _ create: (URL) throws -> T) throws -> T {
        let base = timestampName(date: date)
        for n in 1...100_000 {
            let url = directory.appendingPathComponent(base + (n == 1 ? "" : "-\(n)") + "." + ext)
            do { return try create(url) } catch is FileExistsError { continue }
        }
        throw SessionIOError("\(directory.path): no free name for \(base).\(ext)")
    }
}
