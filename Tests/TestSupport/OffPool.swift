import Foundation

/// Runs `body` on a thread of its own and suspends until it returns, so a test's blocking
/// work (a model's forward passes, a child process waited on) holds no thread of the
/// cooperative pool. That pool is as wide as the cores: on a 2-core machine two blocking
/// tests side by side would hold all of it, and every async test beside them (a streamed
/// reply, a cancellation timed in seconds) would stall until one of them returned.
///
/// `body` records no issues (`#expect` needs the test's task, which a thread does not
/// have): it returns what the test then checks.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
        let thread = Thread { c.resume(with: Result { try body() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
