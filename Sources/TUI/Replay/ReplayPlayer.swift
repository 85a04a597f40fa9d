/// The replay's clock over a schedule: which cues are due, paused or not.
///
/// Clock: `clock` is in recorded seconds (the schedule's unit); real time `dt` advances it
/// by `dt × speed` while playing, not at all while paused. Invariant:
/// `schedule[..<next]` have been handed out, each with `at <= clock`.
struct ReplayPlayer: Sendable {
    let schedule: [TimedCue]
    /// Times as fast as recorded, in `speedRange` (a finite clock whatever the user asks).
    let speed: Double
    static let speedRange = 1e-3...1e6
    /// Cues handed out so far.
    private(set) var next = 0
    /// Recorded seconds played so far.
    private(set) var clock = 0.0
    var paused = false
    /// Turns in the schedule, and turns begun so far (`.user` cues handed out).
    let turnCount: Int
    private(set) var turnsBegun = 0

    init(schedule: [TimedCue], speed: Double) {
        self.schedule = schedule
        self.speed = speed.isFinite && speed > 0 ? min(max(speed, Self.speedRange.lowerBound), Self.speedRange.upperBound) : 1
        turnCount = schedule.count { Self.beginsTurn($0) }
    }

    /// Every cue was played.
    var finished: Bool { next >= schedule.count }

    /// Moves the clock on by `elapsed` real seconds (unless paused) and returns the cues
    /// now due, in order.
    mutating func advance(by elapsed: Double) -> [TimedCue] {
        if !paused, elapsed.isFinite, elapsed > 0 { clock += elapsed * speed }
        var due: [TimedCue] = []
        while next < schedule.count, schedule[next].at <= clock {
            due.append(schedule[next])
            if Self.beginsTurn(schedule[next]) { turnsBegun += 1 }
            next += 1
        }
        return due
    }

    /// Real seconds until the next cue is due; nil when paused or finished.
    var secondsToNext: Double? {
        guard !paused, next < schedule.count else { return nil }
        return max(0, schedule[next].at - clock) / speed
    }

    private static func beginsTurn(_ c: TimedCue) -> Bool {
        if case .user = c.cue { return true }
        return false
    }
}
