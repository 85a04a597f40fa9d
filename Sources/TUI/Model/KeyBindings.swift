import Foundation
import Session

/// A chat action that a key can be bound to; the raw value is its name in keys.toml.
/// (The input line's Emacs editing keys, Enter and Alt-Enter are not actions: they are
/// what a key does when no action claims it.)
public enum KeyAction: String, CaseIterable, Sendable {
    case toggleThinking = "toggle_thinking"
    case stop = "stop"
    case answerNow = "answer_now"
    case interrupt = "interrupt"
    case quit = "quit"
    case toggleReasoning = "toggle_reasoning"
    case toggleAllReasoning = "toggle_all_reasoning"
    case pageUp = "page_up"
    case pageDown = "page_down"
    case top = "top"
    case bottom = "bottom"
    case save = "save"
    case regenerate = "regenerate"
    case editLast = "edit_last"
    case redraw = "redraw"
    case suspend = "suspend"
    case compose = "compose"
    case help = "help"

    /// What the action does, for the help overlay and `ponder help keys`.
    var summary: String {
        switch self {
        case .toggleThinking: "thinking on/off for the next turn"
        case .stop: "stop generating"
        case .answerNow: "end the reasoning now and answer"
        case .interrupt: "stop generating; twice when idle: quit"
        case .quit: "quit (on an empty line)"
        case .toggleReasoning: "fold/unfold reasoning of the focused turn"
        case .toggleAllReasoning: "fold/unfold all reasoning"
        case .pageUp: "scroll up a page"
        case .pageDown: "scroll down a page"
        case .top: "scroll to the top"
        case .bottom: "scroll to the end and follow"
        case .save: "save the conversation"
        case .regenerate: "regenerate the last reply"
        case .editLast: "edit the last message (on an empty line)"
        case .redraw: "redraw the screen"
        case .suspend: "suspend (fg resumes)"
        case .compose: "compose in $VISUAL/$EDITOR"
        case .help: "this help"
        }
    }

    /// The default keys (the first is the one named in messages).
    var defaultKeys: [Key] {
        switch self {
        case .toggleThinking: [.ctrl("t"), .function(2)]
        case .stop: [.escape]
        case .answerNow: [.ctrl("]"), .function(3)]
        case .interrupt: [.ctrl("c")]
        case .quit: [.ctrl("d")]
        case .toggleReasoning: [.tab]
        case .toggleAllReasoning: [.backTab]
        case .pageUp: [.pageUp]
        case .pageDown: [.pageDown]
        case .top: [.home]
        case .bottom: [.end]
        case .save: [.ctrl("s")]
        case .regenerate: [.ctrl("r")]
        case .editLast: [.ctrl("e")]
        case .redraw: [.ctrl("l")]
        case .suspend: [.ctrl("z")]
        case .compose: [.ctrl("g")]
        case .help: [.function(1), .char("?")]
        }
    }
}

/// Which keys run which actions: the defaults, changed by ~/.config/ponder/keys.toml.
///
/// keys.toml maps action names to one or more keys, separated by commas or spaces:
///
///     toggle_thinking = "C-t, F2"
///     compose = "M-e"
///
/// A listed action loses its default keys; a key taken from another action's defaults
/// leaves that action. Keys that can be named are listed by `KeySpec`.
/// Invariant: a key runs at most one action (`action(for:)` is a function).
public struct KeyBindings: Sendable, Equatable {
    /// Keys of each action, in display order.
    private(set) var keys: [KeyAction: [Key]]

    public static let defaults = KeyBindings(
        keys: Dictionary(uniqueKeysWithValues: KeyAction.allCases.map { ($0, $0.defaultKeys) }))

    /// The action `key` runs, if any.
    func action(for key: Key) -> KeyAction? {
        KeyAction.allCases.first { keys[$0]?.contains(key) == true }
    }

    /// The keys of `action`, possibly none.
    func keys(of action: KeyAction) -> [Key] { keys[action] ?? [] }

    /// "Ctrl-T, F2" (or "(none)").
    func label(of action: KeyAction) -> String {
        let k = keys(of: action)
        return k.isEmpty ? "(none)" : k.map(KeySpec.name).joined(separator: ", ")
    }

    /// The defaults changed by the entries of a keys.toml text. Every bad entry (or a bad
    /// file) is one warning and leaves the defaults of what it named.
    public static func parse(_ text: String, file: String = "keys.toml") -> (KeyBindings, [String]) {
        var warnings: [String] = []
        let doc: TOMLSubset.Document
        switch TOMLSubset.parse(text) {
        case .failure(let e): return (defaults, ["\(file): \(e.description); default keys used"])
        case .success(let d): doc = d
        }
        for section in doc.keys.sorted() where !section.isEmpty {
            warnings.append("\(file): section [\(section)] ignored (actions go at the top)")
        }
        let root = doc[""] ?? [:]
        for name in root.keys.sorted() where KeyAction(rawValue: name) == nil {
            warnings.append("\(file): unknown action \(name) ignored")
        }
        var b = defaults
        var claimed: [Key: KeyAction] = [:]
        for action in KeyAction.allCases {
            guard let value = root[action.rawValue] else { continue }
            guard case .string(let s) = value else {
                warnings.append("\(file): \(action.rawValue) must be a string of keys; default kept")
                continue
            }
            var parsed: [Key] = []
            var bad: String? = nil
            for word in s.split(whereSeparator: { $0 == "," || $0 == " " }) {
                guard let k = KeySpec.parse(String(word)) else { bad = String(word); break }
                if let other = claimed[k] {
                    bad = "\(word) (already bound to \(other.rawValue))"; break
                }
                if !parsed.contains(k) { parsed.append(k) }
            }
            if let bad {
                warnings.append("\(file): \(action.rawValue): bad key \(bad); default kept")
                continue
            }
            for k in parsed { claimed[k] = action }
            b.keys[action] = parsed
        }
        // A key the user gave to one action leaves every other action's keys.
        for action in KeyAction.allCases {
            b.keys[action] = b.keys(of: action).filter { claimed[$0] == nil || claimed[$0] == action }
        }
        return (b, warnings)
    }

    /// `$XDG_CONFIG_HOME/ponder/keys.toml`, else `~/.config/ponder/keys.toml`.
    public static func defaultURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        ThemeLoader.userDirectory(environment: environment)
            .deletingLastPathComponent().appendingPathComponent("keys.toml")
    }

    /// The bindings from `url`: the defaults when it does not exist; one warning each
    /// for an unreadable file (over 64 KiB) and for each bad entry.
    public static func load(_ url: URL) -> (KeyBindings, [String]) {
        let bytes: [UInt8]
        do {
            guard let b = try RegularFile.readIfPresent(url.path, limit: TOMLSubset.maxBytes) else { return (defaults, []) }
            bytes = b
        } catch {
            return (defaults, ["\(error); default keys used"])
        }
        return parse(String(decoding: bytes, as: UTF8.self), file: url.path)
    }
}
