import Session

/// A color as a theme names it, and its reduction to what the terminal can show.
public enum ThemeColor: Sendable, Equatable {
    /// The terminal's own foreground or background.
    case `default`
    /// An xterm palette index 0...255 (0-7 basic, 8-15 bright, 16-231 cube, 232-255 grays).
    case index(Int)
    /// 24-bit color, shown as the nearest palette entry.
    case rgb(UInt8, UInt8, UInt8)

    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Parses "default", a color name ("cyan", "bright-cyan"), "#rrggbb", or an index.
    static func parse(_ v: TOMLSubset.Value) -> ThemeColor? {
        switch v {
        case .int(let n): return (0...255).contains(n) ? .index(n) : nil
        case .bool: return nil
        case .string(let s0):
            let s = s0.lowercased()
            if s == "default" || s == "none" { return .default }
            if let i = names.firstIndex(of: s) { return .index(i) }
            for prefix in ["bright-", "bright_", "bright"] where s.hasPrefix(prefix) {
                if let i = names.firstIndex(of: String(s.dropFirst(prefix.count))) { return .index(i + 8) }
            }
            if s.hasPrefix("#"), s.count == 7, let v = UInt32(s.dropFirst(), radix: 16) {
                return .rgb(UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF))
            }
            return nil
        }
    }

    /// The palette index to use on a terminal with `colors` colors (256, 16, 8), or nil
    /// for the terminal default.
    func index(for colors: Int) -> Int? {
        switch self {
        case .default: return nil
        case .rgb(let r, let g, let b):
            return ThemeColor.index(ThemeColor.nearest256(Int(r), Int(g), Int(b))).index(for: colors)
        case .index(let i):
            if i < colors { return i }
            if i < 16 { return i - 8 }           // bright → basic on 8-color terminals
            let (r, g, b) = ThemeColor.rgbOf(i)
            let limit = min(colors, 16)
            var best = 0, bestD = Int.max
            for k in 0..<limit {
                let (r2, g2, b2) = ThemeColor.rgbOf(k)
                let d = (r - r2) * (r - r2) + (g - g2) * (g - g2) + (b - b2) * (b - b2)
                if d < bestD { bestD = d; best = k }
            }
            return best
        }
    }

    /// RGB of an xterm palette entry (the usual xterm defaults for 0-15).
    static func rgbOf(_ i: Int) -> (Int, Int, Int) {
        let basic: [(Int, Int, Int)] = [
            (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205),
            (0, 205, 205), (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0),
            (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]
        if i < 16 { return basic[max(0, i)] }
        if i < 232 {
            let c = i - 16, steps = [0, 95, 135, 175, 215, 255]
            return (steps[c / 36], steps[c / 6 % 6], steps[c % 6])
        }
        let v = 8 + 10 * (i - 232)
        return (v, v, v)
    }

    /// Nearest entry of the 6×6×6 cube or the gray ramp (16...255) to an RGB color.
    static func nearest256(_ r: Int, _ g: Int, _ b: Int) -> Int {
        var best = 16, bestD = Int.max
        for i in 16..<256 {
            let (r2, g2, b2) = rgbOf(i)
            let d = (r - r2) * (r - r2) + (g - g2) * (g - g2) + (b - b2) * (b - b2)
            if d < bestD { bestD = d; best = i }
        }
        return best
    }
}
