import Foundation
import Testing
import Session
import TestSupport

/// `RegularFile`, the reader of sessions, journals, history, keys and themes: a FIFO (with
/// no writer), a directory and `/dev/zero` are refused at once with one line; a regular
/// file is read byte for byte. `SessionLoader.load` (what `/load`, `--resume`, `export`
/// and `replay` call) goes through it.
@Suite struct RegularFileTests {
    static func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("regular-file-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    static func message(_ path: String) -> String? {
        withDeadline(2, unblock: { let fd = open(path, O_WRONLY | O_NONBLOCK); if fd >= 0 { close(fd) } }) {
            do { _ = try RegularFile.read(path, limit: 1 << 20); return "read succeeded" }
            catch { return "\(error)" }
        } ?? "blocked for 2 s"
    }

    @Test func nonRegularFilesAreRefusedAtOnce() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in [fifo, dir.path, "/dev/zero"] {
            #expect(Self.message(path) == "\(path): not a regular file")
        }
        #expect(Self.message(dir.appendingPathComponent("missing").path)?.hasSuffix("cannot open: No such file or directory") == true)
        #expect(try RegularFile.readIfPresent(dir.appendingPathComponent("missing").path, limit: 10) == nil)
        #expect(throws: SessionIOError.self) { try RegularFile.readIfPresent(fifo, limit: 10) }
    }

    @Test func regularFilesAreReadExactlyAndSizeIsChecked() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = dir.appendingPathComponent("f")
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF, 0x1B, 0x5D, 0x00, 0xFF, 0x0D, 0x0A]
        try Data(bytes).write(to: f)
        #expect(try RegularFile.read(f.path, limit: 9) == bytes)
        #expect(throws: SessionIOError("\(f.path): file too large (9 bytes, limit 8)")) {
            try RegularFile.read(f.path, limit: 8)
        }
    }

    /// The loader behind `/load`, `--resume`, `export` and `replay`: a FIFO is one line.
    @Test func sessionLoaderRefusesAFIFOWithoutBlocking() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("s.json").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let m = withDeadline(2, unblock: { let fd = open(fifo, O_WRONLY | O_NONBLOCK); if fd >= 0 { close(fd) } }) {
            do { _ = try SessionLoader.load(URL(fileURLWithPath: fifo)); return "loaded" }
            catch { return "\(error)" }
        }
        #expect(m == "\(fifo): not a regular file")
    }
}
