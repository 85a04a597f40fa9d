import Foundation
import Testing
import Session

/// `TerminalOutput` decides per descriptor: on a real pseudo-terminal (/dev/ptmx) the
/// text arrives sanitized, a sequence split across writes included; into a pipe it
/// arrives byte for byte.
@Suite struct TerminalOutputTests {
    static let pieces = ["plain \u{1B}]0;TI", "TLE\u{07}text\u{1B}", "[31m red\u{9B}2J\u{202E}\n"]

    /// Everything readable from `fd` now (non-blocking).
    static func drain(_ fd: Int32) -> [UInt8] {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            out += buf[..<n]
        }
        return out
    }

    @Test func aTerminalGetsSanitizedText() throws {
        // /dev/ptmx with the two ioctls unlockpt/ptsname wrap (those and the _IOW/_IOR
        // request macros are not imported into Swift here; the values are Linux's
        // asm-generic TIOCSPTLCK and TIOCGPTN).
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        try #require(master >= 0)
        defer { close(master) }
        var unlock: CInt = 0, number: CUnsignedInt = 0
        #expect(ioctl(master, UInt(0x4004_5431), &unlock) == 0)
        #expect(ioctl(master, UInt(0x8004_5430), &number) == 0)
        let slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        try #require(slave >= 0)
        defer { close(slave) }
        var raw = termios()
        tcgetattr(slave, &raw)
        cfmakeraw(&raw)                       // no CR LF translation: compare bytes as written
        tcsetattr(slave, TCSANOW, &raw)
        var out = TerminalOutput(fileDescriptor: slave)
        #expect(out.sanitizes)
        for p in Self.pieces { out.write(p) }
        usleep(50_000)
        #expect(String(decoding: Self.drain(master), as: UTF8.self) == "plain text red<U+202E>\n")
    }

    @Test func aPipeGetsTheExactBytes() throws {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var out = TerminalOutput(fileDescriptor: fds[1])
        #expect(!out.sanitizes)
        for p in Self.pieces { out.write(p) }
        #expect(Self.drain(fds[0]) == Array(Self.pieces.joined().utf8))
    }
}
