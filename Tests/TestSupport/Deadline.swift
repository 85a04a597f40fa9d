import Foundation

/// Runs `body` on a thread of its own and waits at most `seconds` for it: nil when it has
/// not returned by then, so a call that blocks (a read of a FIFO) fails its test instead
/// of hanging the suite. `unblock` runs on a timeout, to free the stuck thread (e.g. open
/// the FIFO's other end), which is then given 5 s more to finish.
public func withDeadline<T: Sendable>(_ seconds: Double, unblock: () -> Void = {},
                                      _ body: @escaping @Sendable () -> T) -> T? {
    let box = DeadlineBox<T>()
    let done = DispatchSemaphore(value: 0)
    Thread.detachNewThread { box.set(body()); done.signal() }
    if done.wait(timeout: .now() + seconds) == .timedOut {
        unblock()
        _ = done.wait(timeout: .now() + 5)
        return nil
    }
    return box.get()
}

/// The result slot shared by `withDeadline` and its thread.
private final class DeadlineBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T?
    func set(_ v: T) { lock.withLock { value = v } }
    func get() -> T? { lock.withLock { value } }
}
