import CShims
import CNcursesw

/// What one read from the terminal produced.
enum TerminalInput: Equatable {
    case key(Key)
    case resize
}

/// Turns ncurses' wide-character reads into `Key`s: control characters, Alt (Esc +
/// key), function keys, the mouse wheel, and bracketed paste (collected whole between
/// ESC[200~ and ESC[201~, so a long paste is one message and one redraw).
struct KeyReader {
    /// Reads one input, waiting up to `timeoutMs` for the first byte. nil = nothing.
    mutating func next(timeoutMs: Int32) -> TerminalInput? {
        var v: UInt32 = 0
        switch ps_read_key(timeoutMs, &v) {
        case 1: return char(v)
        case 2: return code(Int32(v))
        default: return nil
        }
    }

    private mutating func char(_ v: UInt32) -> TerminalInput? {
        switch v {
        case 27:
            // Alt-key arrives as Esc + key with nothing in between.
            var w: UInt32 = 0
            switch ps_read_key(2, &w) {
            case 1:
                if w == 13 || w == 10 { return .key(.altEnter) }
                if let s = Unicode.Scalar(w), w >= 0x20, w != 0x7F { return .key(.alt(Character(s))) }
                ps_unread_char(w)
                return .key(.escape)
            case 2:
                return code(Int32(w))   // e.g. Esc then an arrow: drop the Esc
            default:
                return .key(.escape)
            }
        case 13, 10: return .key(.enter)
        case 9: return .key(.tab)
        case 127, 8: return .key(.backspace)
        case 1...26: return .key(.ctrl(Character(Unicode.Scalar(v + 96)!)))
        case 0..<32: return nil
        default:
            guard let s = Unicode.Scalar(v) else { return nil }
            return .key(.char(Character(s)))
        }
    }

    private mutating func code(_ c: Int32) -> TerminalInput? {
        switch c {
        case KEY_RESIZE: return .resize
        case KEY_MOUSE:
            switch ps_mouse_wheel() {
            case 1: return .key(.wheelUp)
            case -1: return .key(.wheelDown)
            default: return nil
            }
        case Int32(PS_KEY_PASTE_START): return readPaste()
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_HOME: return .key(.home)
        case KEY_END: return .key(.end)
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_BACKSPACE: return .key(.backspace)
        case KEY_DC: return .key(.delete)
        case KEY_BTAB: return .key(.backTab)
        case KEY_ENTER: return .key(.enter)
        default:
            for n in 1...12 where c == ps_key_f(Int32(n)) { return .key(.function(n)) }
            return nil
        }
    }

    /// Collects a bracketed paste up to its end marker (or 1 s of silence, or 4 MiB).
    private mutating func readPaste() -> TerminalInput? {
        var text = String.UnicodeScalarView()
        var v: UInt32 = 0
        while text.count < 4 << 20 {
            let r = ps_read_key(1000, &v)
            if r == 0 { break }
            if r == 2 {
                if Int32(v) == Int32(PS_KEY_PASTE_END) { break }
                continue
            }
            if v == 13 { text.append("\n"); continue }
            if let s = Unicode.Scalar(v) { text.append(s) }
        }
        return .key(.paste(String(text)))
    }
}
