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
    // Drain both pipes concurrently so a chatty child never blocks on a full pipe.
    let group = DispatchGroup()
    nonisolated(unsafe) var out = Data(), err = Data()
    group.enter()
    DispatchQueue.global().async { out = outPipe.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter()
    DispatchQueue.global().async { err = errPipe.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    if let stdin { inPipe.fileHandleForWriting.write(stdin) }
    try? inPipe.fileHandleForWriting.close()
    var timedOut = false
    if group.wait(timeout: .now() + timeout) == .timedOut {
        timedOut = true
        p.terminate()
        kill(p.processIdentifier, SIGKILL)
        group.wait()
    }
    p.waitUntilExit()
    return ProcessResult(status: p.terminationStatus,
                         signaled: p.terminationReason == .uncaughtSignal,
                         stdout: out, stderr: err, timedOut: timedOut)
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
