import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process run to completion with the CPU time the kernel measured of it (wait4's
/// rusage, this child alone). No peak RSS: posix_spawn starts the child as a vfork of this
/// (large) test process, and Linux carries the pre-exec high-water mark into ru_maxrss;
/// measure peak RSS through a small forking parent instead (see ArrayFootprintTests).
public struct MeasuredRun: Sendable {
    /// Exit status (valid when `signal` is nil).
    public let status: Int32
    /// The signal that ended the child (a crash, or our kill on timeout), if any.
    public let signal: Int32?
    public let stdout: Data
    public let stderr: Data
    /// User + system CPU seconds the child used: the measure of its own work, which a
    /// loaded machine does not inflate the way it inflates wall-clock time.
    public let cpuSeconds: Double
    /// Wall-clock seconds from spawn to exit.
    public let wallSeconds: Double
    /// True when the child was killed because it ran past the wall-clock timeout.
    public let timedOut: Bool
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs `executable` with `arguments` (stdin /dev/null, stdout and stderr to temporary
/// files), killing it with SIGKILL after `timeout` wall-clock seconds.
public func runMeasured(_ executable: URL, _ arguments: [String], timeout: Double = 30) throws -> MeasuredRun {
    struct SpawnFailed: Error, CustomStringConvertible { let description: String }
    let tmp = FileManager.default.temporaryDirectory
    let id = UUID().uuidString
    let outPath = tmp.appendingPathComponent("ponder-run-\(id).out").path
    let errPath = tmp.appendingPathComponent("ponder-run-\(id).err").path
    defer { unlink(outPath); unlink(errPath) }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

    let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
    let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }

    let started = DispatchTime.now()
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, executable.path, &actions, nil, argv, envp)
    guard rc == 0 else { throw SpawnFailed(description: "posix_spawn \(executable.path): \(String(cString: strerror(rc)))") }

    // The timeout kill and the reaping exclude each other: the child is waited for without
    // being reaped (WNOWAIT), marked as exited under the lock, and only then reaped, so the
    // timer can never signal a recycled pid.
    final class State: @unchecked Sendable {
        let lock = NSLock()
        var exited = false
        var killed = false
    }
    let state = State()
    let child = pid
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
        state.lock.withLock {
            if !state.exited { kill(child, SIGKILL); state.killed = true }
        }
    }
    var info = siginfo_t()
    while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
    state.lock.withLock { state.exited = true }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let wall = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9

    // Linux wait status: low 7 bits = terminating signal (0: exited; 0x7f: stopped).
    let sig = status & 0x7f
    let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return MeasuredRun(status: (status >> 8) & 0xff, signal: sig == 0 ? nil : sig,
                       stdout: FileManager.default.contents(atPath: outPath) ?? Data(),
                       stderr: FileManager.default.contents(atPath: errPath) ?? Data(),
                       cpuSeconds: cpu, wallSeconds: wall,
                       timedOut: state.lock.withLock { state.killed })
}
