/// The input line: an Emacs-style single-buffer editor with history, as a value.
/// Our own editor rather than readline's callback interface: it lives inside the pure
/// `update`, so its keys are unit-tested, and it cannot fight ncurses for the terminal.
/// (Tried: readline 8's callback interface fed through rl_getc_function and drawn through
/// rl_redisplay_function does edit correctly, but it still reads rl_instream itself —
/// over /dev/null it read EOF and accepted the line, so it needs a silent descriptor of
/// its own; a lone Esc is held until the next key, which it then reads as Alt-key;
/// rl_point counts bytes, not columns; ncurses' decoded keys would have to be encoded
/// back into escape sequences; and its state is process-global, outside `update`.)
struct LineEditor: Sendable, Equatable {
    /// The text as grapheme clusters; `cursor` is an index into it (0...chars.count).
    private(set) var chars: [Character] = []
    private(set) var cursor = 0
    /// Last killed text (Ctrl-K, Ctrl-U, Ctrl-W), for Ctrl-Y.
    private(set) var killBuffer: [Character] = []
    /// Submitted lines, oldest first.
    var history: [String] = []
    /// Position while browsing history (nil = editing the draft), and the saved draft.
    private var historyIndex: Int? = nil
    private var draft: [Character] = []

    var text: String { String(chars) }
    var isEmpty: Bool { chars.isEmpty }

    mutating func set(_ s: String) { chars = Array(s); cursor = chars.count; historyIndex = nil }
    mutating func insert(_ s: String) {
        let new = Array(s)
        chars.insert(contentsOf: new, at: cursor); cursor += new.count
    }
    mutating func backspace() {
        guard cursor > 0 else { return }
        chars.remove(at: cursor - 1); cursor -= 1
    }
    mutating func deleteForward() {
        guard cursor < chars.count else { return }
        chars.remove(at: cursor)
    }
    mutating func left() { cursor = max(0, cursor - 1) }
    mutating func right() { cursor = min(chars.count, cursor + 1) }
    mutating func home() { cursor = 0 }
    mutating func end() { cursor = chars.count }
    mutating func wordLeft() {
        while cursor > 0 && !isWordChar(chars[cursor - 1]) { cursor -= 1 }
        while cursor > 0 && isWordChar(chars[cursor - 1]) { cursor -= 1 }
    }
    mutating func wordRight() {
        while cursor < chars.count && !isWordChar(chars[cursor]) { cursor += 1 }
        while cursor < chars.count && isWordChar(chars[cursor]) { cursor += 1 }
    }
    mutating func killToEnd() {
        killBuffer = Array(chars[cursor...]); chars.removeSubrange(cursor...)
    }
    mutating func killToStart() {
        killBuffer = Array(chars[..<cursor]); chars.removeSubrange(..<cursor); cursor = 0
    }
    mutating func killWordBack() {
        let end = cursor
        wordLeft()
        killBuffer = Array(chars[cursor..<end]); chars.removeSubrange(cursor..<end)
    }
    /// Alt-D: kills from the cursor to the end of the next word.
    mutating func killWordForward() {
        let start = cursor
        wordRight()
        killBuffer = Array(chars[start..<cursor]); chars.removeSubrange(start..<cursor)
        cursor = start
    }
    mutating func yank() { insert(String(killBuffer)) }

    /// Up / Ctrl-P: the previous history entry (the draft is kept aside).
    mutating func historyPrev() {
        guard !history.isEmpty else { return }
        if historyIndex == nil { draft = chars; historyIndex = history.count }
        guard let i = historyIndex, i > 0 else { return }
        historyIndex = i - 1
        chars = Array(history[i - 1]); cursor = chars.count
    }
    /// Down / Ctrl-N: the next history entry, then back to the draft.
    mutating func historyNext() {
        guard let i = historyIndex else { return }
        if i + 1 >= history.count {
            historyIndex = nil; chars = draft
        } else {
            historyIndex = i + 1; chars = Array(history[i + 1])
        }
        cursor = chars.count
    }

    /// Empties the buffer and returns its text; non-blank text joins the history.
    mutating func submit() -> String {
        let s = text
        // (Stops at the first non-blank: a pasted megabyte is not copied to be trimmed.)
        if s.unicodeScalars.contains(where: { !CharacterSet.whitespaces.contains($0) }), history.last != s {
            history.append(s)
        }
        chars = []; cursor = 0; historyIndex = nil; draft = []
        return s
    }
    mutating func clear() { chars = []; cursor = 0; historyIndex = nil }

    private func isWordChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
}

import Foundation
