import Foundation
import Synchronization
import TestSupport

/// The tmux servers this test process started and has not killed yet (`TerminalTests.Tmux`
/// registers each socket when its server starts and removes it when it kills it). At the
/// process's exit the rest are killed, so a test that leaks its `Tmux` cannot leave a
/// server (and the `ponder` in its pane) running after the suite.
enum LiveServers {
    private static let sockets = Mutex<Set<String>>([])
    private static let sweepInstalled = Mutex(false)

    static func add(_ socket: String) {
        sockets.withLock { _ = $0.insert(socket) }
        let install = sweepInstalled.withLock { done in
            defer { done = true }
            return !done
        }
        if install { atexit { LiveServers.sweep() } }
    }

    static func remove(_ socket: String) {
        sockets.withLock { _ = $0.remove(socket) }
    }

    /// SIGKILL to `pid` if it is still a tmux server (its command name says so: a pid
    /// reused by another process is left alone).
    static func killIfTmux(_ pid: pid_t) {
        guard let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8),
              comm.hasPrefix("tmux") else { return }
        kill(pid, SIGKILL)
    }

    private static func sweep() {
        for socket in sockets.withLock({ $0 }) {
            _ = try? runProcess(URL(fileURLWithPath: "/usr/bin/tmux"), ["-L", socket, "kill-server"], timeout: 5)
        }
    }
}
