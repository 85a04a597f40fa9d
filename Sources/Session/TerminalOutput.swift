import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output or standard error as the line-by-line commands write to it (`run`,
/// the plain chat, `replay --plain`, `export`): text is sanitized (`TerminalText`) when
/// the descriptor is a terminal, and written byte for byte when it is a file or a pipe,
/// so `ponder run … > file` keeps exactly what the model said.
public struct TerminalOutput: Sendable {
    public let fileDescriptor: Int32
    /// True when writes go through `TerminalText` (the descriptor is a terminal).
    public let sanitizes: Bool
    private var filter = TerminalText()

    /// `sanitize` nil: decided by `isatty(fileDescriptor)`.
    public init(fileDescriptor: Int32, sanitize: Bool? = nil) {
        self.fileDescriptor = fileDescriptor
        sanitizes = sanitize ?? (isatty(fileDescriptor) == 1)
    }

    public static var standardOutput: TerminalOutput { TerminalOutput(fileDescriptor: 1) }
    public static var standardError: TerminalOutput { TerminalOutput(fileDescriptor: 2) }

    /// Writes the next piece of a stream (an escape sequence split across pieces is still
    /// removed whole).
    public mutating func write(_ s: String) {
        let text = sanitizes ? filter.push(s) : s
        if text.isEmpty { return }
        let handle = fileDescriptor == 2 ? FileHandle.standardError
            : fileDescriptor == 1 ? FileHandle.standardOutput
            : FileHandle(fileDescriptor: fileDescriptor, closeOnDealloc: false)
        handle.write(Data(text.utf8))
    }

    /// Ends a stream: a sequence left open does not swallow what is written next.
    public mutating func endStream() { filter.reset() }

    /// One complete message (a warning, a notice) on standard error, sanitized on a terminal.
    public static func warn(_ line: String) {
        var err = standardError
        err.write(line + "\n")
    }
}
