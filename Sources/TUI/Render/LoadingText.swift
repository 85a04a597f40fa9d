/// The notice-line text while the chat reads a model's weights in (shown through a
/// session notice, so plain ASCII apart from the words: no bar glyphs, which the UI
/// could not swap for ASCII in a non-UTF-8 locale).
public enum LoadingText {
    /// "loading weights 48/138 MiB 950 MiB/s 1 s left" (no rate and estimate before any
    /// byte or any time has passed).
    public static func progress(done: Int, total: Int, seconds: Double) -> String {
        var t = "loading weights \(mib(done))/\(mib(total)) MiB"
        if seconds > 0, done > 0 {
            let rate = Double(done) / seconds   // bytes per second
            t += " \(Int((rate / 1_048_576).rounded())) MiB/s \(StatsBar.duration(Double(total - done) / rate)) left"
        }
        return t
    }

    /// "weights loaded: 138 MiB in 0.15 s".
    public static func done(bytes: Int, seconds: Double) -> String {
        "weights loaded: \(mib(bytes)) MiB in \(StatsBar.fmt2(seconds)) s"
    }

    /// Whole MiB, rounded.
    static func mib(_ bytes: Int) -> Int { Int((Double(bytes) / 1_048_576).rounded()) }
}
