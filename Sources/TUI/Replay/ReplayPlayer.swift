/// The replay's clock over a schedule: which cues are due, paused or not.
///
/// Clock: `clock` is in recorded seconds (the schedule's unit); real time `dt` advances it
/// by `dt × speed` while playing, not at all while paused. Invariant:
/// `schedule[..<next]` have been handed out, each with `at <= clock`.
struct ReplayPlayer: Sendable {
    let schedule: [TimedCue]
    /// Times as fast as recorded (> 0).
    let speed: Double
    /// Cues handed out so far.
    private(set) var next = 0
    /// Recorded seconds played so far.
    private(set) var clock = 0.0
    var paused = false

    init(schedule: [TimedCue], speed: Double) {
        self.schedule = schedule
        self.speed = speed.isFinite && speed > 0 ? speed : 1
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
            next += 1
        }
        return due
    }

    /// Real seconds until the next cue is due; nil when paused or finished.
    var secondsToNext: Double? {
        guard !paused, next < schedule.count else { return nil }
        return max(0, schedule[next].at - clock) / speed
    }

    /// Number of turns in the schedule, and of turns begun so far.
    var turnCount: Int { schedule.count { if case .user = $0.cue { true } else { false } } }
    var turnsBegun: Int { schedule[..<next].count { if case .user = $0.cue { true } else { false } } }
}
