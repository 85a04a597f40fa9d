import Foundation

/// Reads the journals a `ponder chat` under test writes into `sessions` (the folder
/// `$XDG_DATA_HOME/ponder/sessions`): a turn is over once its end record is on disk,
/// which the session writes (fsynced) before the screen hears of the turn's end.
enum JournalWatch {
    /// The journal files, sorted by name.
    static func files(in sessions: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: sessions)) ?? []).filter { $0.hasSuffix(".jsonl") }.sorted()
    }

    /// How many turn end records all journals hold together.
    static func ends(in sessions: String) -> Int {
        files(in: sessions).reduce(0) { n, f in
            let text = (try? String(contentsOfFile: sessions + "/" + f, encoding: .utf8)) ?? ""
            return n + text.components(separatedBy: "\"k\":\"end\"").count - 1
        }
    }

    /// Waits until the journals hold `count` end records; then gives the screen half a
    /// second to take the event. False on timeout.
    static func waitForEnds(_ count: Int, in sessions: String, timeout: Double = 120) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while ends(in: sessions) < count, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        Thread.sleep(forTimeInterval: 0.5)
        return ends(in: sessions) >= count
    }
}
