import Foundation

/// Messages from other tasks (session events, command results) waiting for the UI
/// thread, which drains them between key reads. Thread-safe.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [UIMessage] = []

    func post(_ m: UIMessage) { lock.withLock { items.append(m) } }
    func drain() -> [UIMessage] {
        lock.withLock { defer { items = [] }; return items }
    }
}

/// Monotonic seconds (for turn timers; never jumps with the wall clock).
func monotonicSeconds() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}

/// Resident memory of this process in bytes, from /proc/self/statm (Linux), or nil.
func residentBytes() -> Int? {
    guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
    let f = s.split(separator: " ")
    guard f.count > 1, let pages = Int(f[1]) else { return nil }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// The OSC 52 sequence that asks the terminal (local, tmux with `set-clipboard on`, or
/// over SSH) to put `text` on the system clipboard.
func osc52(_ text: String) -> String {
    "\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}"
}
