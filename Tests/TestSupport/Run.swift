import Foundation

/// The result of running a child process to completion.
public struct ProcessResult: Sendable {
    public let status: Int32
    /// True when the child died from a signal (a crash), not an exit.
    public let signaled: Bool
    public let stdout: Data
    public let stderr: Data
    public let timedOut: Bool
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs `executable` with `arguments`, feeding `stdin`, killing it after `timeout` seconds.
public func runProcess(_ executable: URL, _ arguments: [String], stdin: Data? = nil,
                       environment: [String: String]? = nil,
                       timeout: TimeInterval = 120) throws -> ProcessResult {
    let p = Process()
    p.executableURL = executable
    p.arguments = arguments
    if let environment { p.environment = environment }
    let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
    p.standardOutput = outPipe
    p.standardError = errPipe
    p.standardInput = inPipe
    try p.run()
    // Drain both pipes on their own threads so a chatty child never blocks on a full pipe.
    // A grandchild that outlives the child (a tmux server forked while this pipe was open)
    // may hold the write ends for ever, so EOF is not awaited past a short grace period
    // after the child exits: what was read by then is the output.
    let out = PipeDrain(outPipe.fileHandleForReading)
    let err = PipeDrain(errPipe.fileHandleForReading)
    if let stdin { inPipe.fileHandleForWriting.write(stdin) }
    try? inPipe.fileHandleForWriting.close()
    let exited = DispatchSemaphore(value: 0)
    DispatchQueue.global().async { p.waitUntilExit(); exited.signal() }
    var timedOut = false
    if exited.wait(timeout: .now() + timeout) == .timedOut {
        timedOut = true
        p.terminate()
        kill(p.processIdentifier, SIGKILL)
        exited.wait()
    }
    out.wait(grace: 5)
    err.wait(grace: 5)
    return ProcessResult(status: p.terminationStatus,
                         signaled: p.terminationReason == .uncaughtSignal,
                         stdout: out.data, stderr: err.data, timedOut: timedOut)
}

/// Runs a Python oracle script (inline source) in the test venv; returns its stdout.
/// Throws with the script's stderr when it fails.
public func runPython(_ source: String, _ arguments: [String] = [], stdin: Data? = nil,
                      timeout: TimeInterval = 600) throws -> Data {
    let py = try TestEnv.python()
    let r = try runProcess(py, ["-c", source] + arguments, stdin: stdin, timeout: timeout)
    guard r.status == 0, !r.timedOut else {
        throw TestEnv.Missing(description: "python oracle failed (\(r.status)): \(r.stderrText)")
    }
    return r.stdout
}

/// Reads a pipe to EOF on a background thread, keeping what it has read so far.
final class PipeDrain: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.withLock { buffer.append(chunk) }
            }
            done.signal()
        }
    }

    /// Waits for EOF at most `grace` seconds.
    func wait(grace: Double) { _ = done.wait(timeout: .now() + grace) }
    var data: Data { lock.withLock { buffer } }
}
