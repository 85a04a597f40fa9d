import CShims

/// The only code that draws: puts a `Screen` on the terminal through ncurses, rewriting
/// only the rows that differ from the previous frame (a long conversation costs nothing
/// per frame but the rows that changed). Roles become color pairs from the theme.
final class Painter {
    private var previous: Screen?
    /// Per role: ncurses color pair and PS_* attribute bits from the theme.
    private var table: [Role: (pair: Int32, attrs: Int32)] = [:]
    let colors: Int

    /// `colors`: what the terminal has (0 = none); `noColor`: $NO_COLOR is set.
    init(theme: Theme, colors: Int, noColor: Bool) {
        self.colors = noColor ? 0 : colors
        setTheme(theme)
    }

    /// Installs `theme`, reduced to the terminal's colors (monochrome without any).
    func setTheme(_ theme: Theme) {
        let t = colors == 0 ? theme.monochrome : theme
        table = [:]
        for (i, role) in Role.allCases.enumerated() {
            let st = t[role]
            var pair: Int32 = 0
            if colors > 0 && i + 1 < Int(ps_color_pairs()) {
                pair = Int32(i + 1)
                ps_init_pair(pair, Int32(st.fg.index(for: colors) ?? -1), Int32(st.bg.index(for: colors) ?? -1))
            }
            table[role] = (pair, Int32(st.attr.rawValue))
        }
        previous = nil
    }

    /// Forgets the last frame so the next paint rewrites everything (Ctrl-L, resume).
    func invalidate() {
        previous = nil
        ps_force_repaint()
    }

    func paint(_ s: Screen) {
        let full = previous.map { $0.width != s.width || $0.height != s.height } ?? true
        for r in 0..<s.height where full || previous!.rows[r] != s.rows[r] {
            paintRow(s.rows[r], y: Int32(r))
        }
        if let c = s.cursor { ps_cursor(Int32(c.row), Int32(c.col)) } else { ps_cursor(-1, -1) }
        ps_flush()
        previous = s
    }

    private func paintRow(_ row: [Cell], y: Int32) {
        var wcs: [wchar_t] = []
        var narrowWide = false   // the last cell was wide for us but narrow for the locale
        for (x, cell) in row.enumerated() {
            let (pair, attrs) = table[cell.style.role] ?? (0, 0)
            let a = attrs | Int32(cell.style.attr.rawValue)
            if cell.continuation {
                if narrowWide { draw([0x20], y, x, pair, a) }
                narrowWide = false
                continue
            }
            wcs.removeAll(keepingCapacity: true)
            let scalars = cell.ch.unicodeScalars
            let base = scalars.first.map { $0.value } ?? 0x20
            let baseWidth = Int(ps_wcwidth(base))
            if baseWidth < 0 {
                wcs.append(0x3F)  // "?" for what the locale cannot show
            } else {
                wcs.append(wchar_t(base))
                // Only zero-width followers (marks, variation selectors) fit one curses
                // cell; the rest of a ZWJ sequence or flag is dropped here.
                for sc in scalars.dropFirst() where wcs.count < 5 {
                    let v = sc.value
                    if ps_wcwidth(v) == 0 && v != 0x200D { wcs.append(wchar_t(v)) }
                }
            }
            draw(wcs, y, x, pair, a)
            narrowWide = CharWidth.of(cell.ch) == 2 && baseWidth != 2
        }
    }

    private func draw(_ wcs: [wchar_t], _ y: Int32, _ x: Int, _ pair: Int32, _ attrs: Int32) {
        wcs.withUnsafeBufferPointer { p in
            ps_put_cell(y, Int32(x), p.baseAddress, Int32(wcs.count), pair, attrs)
        }
    }
}
