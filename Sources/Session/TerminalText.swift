/// Text from files and models made safe to write to a terminal: nothing in it can move
/// the cursor, clear the screen, set the window title, write the clipboard (OSC 52),
/// ring the bell or reorder the line.
///
/// What goes, per Unicode scalar:
/// - C0 controls except newline and tab, DEL, and C1 (U+0080–U+009F) are dropped; a
///   carriage return too (so CR LF becomes LF and a lone CR cannot overwrite a line);
/// - escape sequences are dropped whole, introducer and body: CSI (`ESC [` or U+009B,
///   up to its final byte), OSC, DCS, SOS, PM and APC strings (`ESC ]`, `ESC P`, `ESC X`,
///   `ESC ^`, `ESC _` or their C1 forms, up to BEL, ST, CAN or SUB), and the two-byte
///   and `ESC` intermediate… final forms (`ESC c`, `ESC ( B`);
/// - bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are shown
///   as `<U+202E>`, so they cannot reorder what the reader sees.
///
/// Safety does not depend on recognising a sequence: every control is dropped in every
/// state, so the terminal never sees an introducer. The state machine only decides how
/// much of a sequence's printable body goes with it. A sequence broken off by a
/// character that cannot belong to it ends there and that character is treated as text;
/// a string sequence also ends at a newline (which is kept), so an unterminated OSC can
/// hide at most the rest of its line.
///
/// The struct is the streaming form: `push` pieces as they arrive (an escape sequence
/// split across model tokens is still removed whole); it never holds text back, so what
/// `push` returns can be written at once. Time and memory are linear in the input.
public struct TerminalText: Sendable {
    private enum State: Sendable {
        case text
        case escape              // after ESC
        case escapeIntermediate  // after ESC and 0x20–0x2F: waiting for the final byte
        case controlSequence     // CSI body: parameters and intermediates, then a final byte
        case string              // OSC/DCS/SOS/PM/APC body
        case stringEscape        // ESC inside a string: ST if `\` follows
    }

    private var state = State.text

    public init() {}

    /// Sanitizes one complete text.
    public static func sanitize(_ s: String) -> String {
        if isPlainFastPath(s) { return s }
        var t = TerminalText()
        return t.push(s)
    }

    /// Sanitizes the next piece of a stream; state carries over to the next call.
    public mutating func push(_ s: String) -> String {
        if state == .text, Self.isPlainFastPath(s) { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars { step(u.value, u, &out) }
        return out
    }

    /// Forgets any sequence in progress (e.g. between two turns of a chat).
    public mutating func reset() { state = .text }

    /// True when every byte is printable ASCII, newline, tab, or belongs to a scalar that
    /// can be neither C1 (lead byte C2) nor a bidi control (lead byte E2).
    private static func isPlainFastPath(_ s: String) -> Bool {
        s.utf8.allSatisfy { b in
            (b >= 0x20 && b < 0x7F) || b == 0x0A || b == 0x09 || (b >= 0x80 && b != 0xC2 && b != 0xE2)
        }
    }

    private static func isBidiControl(_ v: UInt32) -> Bool {
        (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }

    private mutating func step(_ v: UInt32, _ u: Unicode.Scalar, _ out: inout String) {
        switch state {
        case .text:
            switch v {
            case 0x0A, 0x09: out.unicodeScalars.append(u)
            case 0x1B: state = .escape
            case 0x9B: state = .controlSequence
            case 0x90, 0x98, 0x9D, 0x9E, 0x9F: state = .string
            case 0..<0x20, 0x7F...0x9F: break
            default:
                // (`String +=`, not `UnicodeScalarView.append(contentsOf:)`: the latter
                // copies the whole output each time.)
                if Self.isBidiControl(v) { out += "<U+\(String(v, radix: 16, uppercase: true))>" } else {
                    out.unicodeScalars.append(u)
                }
            }
        case .escape:
            switch v {
            case 0x5B: state = .controlSequence                           // [
            case 0x5D, 0x50, 0x58, 0x5E, 0x5F: state = .string             // ] P X ^ _
            case 0x1B: break                                               // ESC ESC: the second one starts over
            case 0x20...0x2F: state = .escapeIntermediate
            case 0x30...0x7E: state = .text                                // two-byte sequence (ST too)
            default: state = .text; step(v, u, &out)
            }
        case .escapeIntermediate:
            switch v {
            case 0x20...0x2F: break
            case 0x30...0x7E: state = .text
            default: state = .text; step(v, u, &out)
            }
        case .controlSequence:
            switch v {
            case 0x20...0x3F: break
            case 0x40...0x7E: state = .text
            default: state = .text; step(v, u, &out)
            }
        case .string:
            switch v {
            case 0x07, 0x9C, 0x18, 0x1A: state = .text                      // BEL, ST, CAN, SUB
            case 0x1B: state = .stringEscape
            case 0x0A: state = .text; out.unicodeScalars.append(u)
            default: break
            }
        case .stringEscape:
            if v == 0x5C { state = .text } else { state = .escape; step(v, u, &out) }
        }
    }
}
