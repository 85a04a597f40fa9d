import CShims
import CNcursesw

/// What one read from the terminal produced.
enum TerminalInput: Equatable {
    case key(Key)
    case resize
}

/// One undecoded read: a character (a Unicode scalar value) or an ncurses key code
/// (KEY_UP, KEY_RESIZE, KEY_MOUSE, PS_KEY_PASTE_START, ...).
enum RawInput: Equatable {
    case char(UInt32)
    case code(Int32)
}

/// Where `KeyReader` gets raw reads from: ncurses in the program (`CursesKeySource`),
/// a scripted list in the unit tests.
protocol KeySource {
    /// Waits up to `timeoutMs` for one read (0 = poll). nil = nothing came.
    mutating func read(timeoutMs: Int32) -> RawInput?
    /// After KEY_MOUSE: +1 wheel up, -1 wheel down, 0 anything else.
    mutating func mouseWheel() -> Int
    /// After a paste's start: its bytes read in bulk up to the end marker (nil when the
    /// source has no bulk reads; the paste is then read one `read` at a time).
    mutating func pasteBytes(limit: Int) -> [UInt8]?
}

extension KeySource {
    mutating func pasteBytes(limit: Int) -> [UInt8]? { nil }
}

/// ncurses' wide-character reads (ps_read_key); UI thread only.
struct CursesKeySource: KeySource {
    mutating func read(timeoutMs: Int32) -> RawInput? {
        var v: UInt32 = 0
        switch ps_read_key(timeoutMs, &v) {
        case 1: return .char(v)
        case 2: return .code(Int32(v))
        default: return nil
        }
    }
    mutating func mouseWheel() -> Int { Int(ps_mouse_wheel()) }

    /// Reads the paste's bytes straight from the terminal in large chunks: ncurses reads
    /// one byte per system call (two with its poll), which made a megabyte cost seconds.
    /// Input after the end marker goes back to ncurses (its first 128 bytes: ncurses'
    /// queue is small). Ends after 1 s of silence, as the key-by-key path.
    mutating func pasteBytes(limit: Int) -> [UInt8]? {
        let collector = PasteCollector.collect(limit: limit) { chunk in
            chunk.withUnsafeMutableBytes { Int(ps_read_bytes($0.baseAddress, $0.count, 1000)) }
        }
        let after = collector.after
        if !after.isEmpty {
            after.withUnsafeBufferPointer { _ = ps_unread_bytes($0.baseAddress, $0.count) }
        }
        return collector.bytes
    }
}

/// Turns raw reads into `Key`s: control characters, Alt (Esc + key), function keys, the
/// mouse wheel, and bracketed paste (collected whole between ESC[200~ and ESC[201~, so a
/// long paste is one message and one redraw).
///
/// Invariant: every read is decoded exactly once. After an Esc the reader looks 2 ms
/// ahead for an Alt combination; what it finds there and does not consume (a control
/// character, a resize, a mouse or paste event, a function key) is kept in `pending` and
/// decoded by the next call, so neither the Esc nor the following input is lost. (ncurses
/// reports a SIGWINCH as KEY_RESIZE on the first read that finds no input, which is
/// often exactly that look-ahead: a resize used to swallow the Esc typed with it.)
struct KeyReader<Source: KeySource> {
    var source: Source
    private var pending: RawInput? = nil

    init(source: Source) { self.source = source }

    /// Reads one input, waiting up to `timeoutMs` for the first byte. nil = nothing.
    mutating func next(timeoutMs: Int32) -> TerminalInput? {
        if let p = pending { pending = nil; return decode(p) }
        guard let raw = source.read(timeoutMs: timeoutMs) else { return nil }
        return decode(raw)
    }

    private mutating func decode(_ raw: RawInput) -> TerminalInput? {
        switch raw {
        case .char(let v): return char(v)
        case .code(let c): return code(c)
        }
    }

    private mutating func char(_ v: UInt32) -> TerminalInput? {
        switch v {
        case 27: return escape()
        case 13, 10: return .key(.enter)
        case 9: return .key(.tab)
        case 127, 8: return .key(.backspace)
        case 1...26: return .key(.ctrl(Character(Unicode.Scalar(v + 96)!)))
        case 0x1D: return .key(.ctrl("]"))
        case 0..<32: return nil
        default:
            guard let s = Unicode.Scalar(v) else { return nil }
            return .key(.char(Character(s)))
        }
    }

    /// Esc: Alt-key arrives as Esc + key with nothing in between.
    private mutating func escape() -> TerminalInput? {
        guard let next = source.read(timeoutMs: 2) else { return .key(.escape) }
        switch next {
        case .char(let w):
            if w == 13 || w == 10 { return .key(.altEnter) }
            if let s = Unicode.Scalar(w), w >= 0x20, w != 0x7F { return .key(.alt(Character(s))) }
        case .code(let c):
            // Esc then a cursor key is what some terminals send for Alt-arrow: one key.
            if Self.navigation.contains(c) { return code(c) }
        }
        pending = next
        return .key(.escape)
    }

    /// Cursor and page keys (Alt + one of them comes as Esc + the key).
    /// The most scalars (bulk reads: bytes) one paste collects (4 Mi); the rest of a
    /// longer one arrives as keys.
    static var pasteLimit: Int { 4 << 20 }

    private static var navigation: Set<Int32> {
        [KEY_UP, KEY_DOWN, KEY_LEFT, KEY_RIGHT, KEY_HOME, KEY_END, KEY_PPAGE, KEY_NPAGE]
    }

    private mutating func code(_ c: Int32) -> TerminalInput? {
        switch c {
        case KEY_RESIZE: return .resize
        case KEY_MOUSE:
            switch source.mouseWheel() {
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

    /// Collects a bracketed paste up to its end marker (or 1 s of silence, or
    /// `pasteLimit` scalars). A resize inside a paste is kept for after it. Linear in the
    /// paste: the scalars are counted as they come (a `count` of the scalar view walks it
    /// whole, which made each read cost the paste's length so far).
    private mutating func readPaste() -> TerminalInput? {
        if let bytes = source.pasteBytes(limit: Self.pasteLimit) {
            return .key(.paste(String(decoding: bytes, as: UTF8.self)))
        }
        var text = String.UnicodeScalarView()
        var scalars = 0
        while scalars < Self.pasteLimit, let r = source.read(timeoutMs: 1000) {
            scalars += 1
            switch r {
            case .code(let c) where c == Int32(PS_KEY_PASTE_END):
                return .key(.paste(String(text)))
            case .code(let c) where c == KEY_RESIZE:
                pending = r
            case .code:
                continue
            case .char(let v):
                if let s = Unicode.Scalar(v) { text.append(s) }
            }
        }
        return .key(.paste(String(text)))
    }
}

/// Key codes for tests and callers that build `RawInput` by hand.
enum KeyCode {
    static let resize = KEY_RESIZE
    static let up = KEY_UP
    static let mouse = KEY_MOUSE
    static let pasteStart = Int32(PS_KEY_PASTE_START)
    static let pasteEnd = Int32(PS_KEY_PASTE_END)
    static func f(_ n: Int32) -> Int32 { ps_key_f(n) }
}
