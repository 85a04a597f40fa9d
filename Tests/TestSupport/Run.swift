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
///
/// posix_spawn + waitpid on this thread, pipes drained by dedicated threads: nothing here
/// waits on a GCD queue. (Foundation's `Process` notices a child's exit through Dispatch;
/// with the whole suite blocking GCD's few worker threads on a 2-core machine, a child
/// that exited in 0.3 s was seen reported as "no answer within 60 s".) The parent's pipe
/// ends are close-on-exec, so children spawned concurrently by other tests never inherit
/// them.
public func runProcess(_ executable: URL, _ arguments: [String], stdin: Data? = nil,
                       environment: [String: String]? = nil,
                       timeout: TimeInterval = 120) throws -> ProcessResult {
    var inFds: [Int32] = [-1, -1], outFds: [Int32] = [-1, -1], errFds: [Int32] = [-1, -1]
    // (pipe2 is not exported to Swift; a spawn in the instant between pipe and fcntl
    // could inherit an end, which the drains' grace period tolerates.)
    func cloexecPipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }
    guard cloexecPipe(&inFds), cloexecPipe(&outFds), cloexecPipe(&errFds) else {
        throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))")
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, inFds[0], 0)
    posix_spawn_file_actions_adddup2(&actions, outFds[1], 1)
    posix_spawn_file_actions_adddup2(&actions, errFds[1], 2)

    let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
    defer { for a in argv { free(a) } }
    let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for e in env { free(e) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, executable.path, &actions, nil, argv, env)
    close(inFds[0]); close(outFds[1]); close(errFds[1])
    guard rc == 0 else {
        close(inFds[1]); close(outFds[0]); close(errFds[0])
        throw SpawnError(description: "cannot run \(executable.path): \(String(cString: strerror(rc)))")
    }
    // Drain both pipes on their own threads so a chatty child never blocks on a full pipe.
    // A grandchild that outlives the child (a tmux server forked while this pipe was open)
    // may hold the write ends for ever, so EOF is not awaited past a short grace period
    // after the child exits: what was read by then is the output.
    let out = PipeDrain(FileHandle(fileDescriptor: outFds[0], closeOnDealloc: true))
    let err = PipeDrain(FileHandle(fileDescriptor: errFds[0], closeOnDealloc: true))
    let input = FileHandle(fileDescriptor: inFds[1], closeOnDealloc: true)
    let feeder = DispatchSemaphore(value: 0)
    signal(SIGPIPE, SIG_IGN)   // a child that exits without reading its stdin
    Thread.detachNewThread {
        if let stdin { try? input.write(contentsOf: stdin) }
        try? input.close()
        feeder.signal()
    }

    var status: Int32 = 0
    var timedOut = false
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid { break }
        if r < 0 && errno != EINTR { break }
        if Date() > deadline {
            timedOut = true
            kill(pid, SIGKILL)
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            break
        }
        usleep(2_000)
    }
    _ = feeder.wait(timeout: .now() + 5)
    out.wait(grace: 5)
    err.wait(grace: 5)
    // Decoded by hand (the W* macros are not imported): low 7 bits = terminating signal.
    let signalNumber = status & 0x7f
    let signaled = signalNumber != 0 && signalNumber != 0x7f
    return ProcessResult(status: signaled ? signalNumber : (status >> 8) & 0xff,
                         signaled: signaled,
                         stdout: out.data, stderr: err.data, timedOut: timedOut)
}

/// A child process could not be started.
public struct SpawnError: Error, CustomStringConvertible {
    public let description: String
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
