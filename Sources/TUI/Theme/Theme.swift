import Foundation
import Session

/// Colors and attributes for one role.
public struct RoleStyle: Sendable, Equatable {
    public var fg: ThemeColor = .default
    public var bg: ThemeColor = .default
    public var attr: Attr = []
}

/// A color scheme: a table from semantic roles to styles.
///
/// File format (TOML subset, see `TOMLSubset`): an optional `name = "…"` at the top, then
/// one `[role]` section per role (text, user, assistant, reasoning, code, stats, border,
/// error, selection) with `fg` and `bg` (a color name, "bright-NAME", "#rrggbb", 0-255 or
/// "default") and `bold`, `underline`, `reverse`, `dim`, `italic` (true/false). A role
/// the file leaves out keeps the default theme's style.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var roles: [Role: RoleStyle]

    public subscript(_ r: Role) -> RoleStyle { roles[r] ?? RoleStyle() }

    /// A one-line error from reading a theme file.
    public struct LoadError: Error, Equatable, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Parses a theme file's `text`; roles not named keep `base`'s styles.
    public static func parse(_ text: String, name: String, base: Theme?) -> Result<Theme, LoadError> {
        let doc: TOMLSubset.Document
        switch TOMLSubset.parse(text) {
        case .failure(let e): return .failure(LoadError(description: "theme \(name): \(e)"))
        case .success(let d): doc = d
        }
        func fail(_ m: String) -> Result<Theme, LoadError> { .failure(LoadError(description: "theme \(name): \(m)")) }
        var theme = base ?? Theme(name: name, roles: [:])
        theme.name = name
        for (key, v) in doc[""] ?? [:] {
            guard key == "name", case .string = v else { return fail("unknown top-level key \(key)") }
        }
        let attrKeys: [(String, Attr)] = [("bold", .bold), ("underline", .underline),
                                          ("reverse", .reverse), ("dim", .dim), ("italic", .italic)]
        for (section, table) in doc where section != "" {
            guard let role = Role(rawValue: section) else { return fail("unknown role [\(section)]") }
            var style = RoleStyle()
            for (key, v) in table {
                switch key {
                case "fg", "bg":
                    guard let c = ThemeColor.parse(v) else { return fail("[\(section)] \(key): not a color") }
                    if key == "fg" { style.fg = c } else { style.bg = c }
                default:
                    guard let a = attrKeys.first(where: { $0.0 == key })?.1 else {
                        return fail("[\(section)] unknown key \(key)")
                    }
                    guard case .bool(let on) = v else { return fail("[\(section)] \(key): true or false") }
                    if on { style.attr.insert(a) }
                }
            }
            theme.roles[role] = style
        }
        return .success(theme)
    }

    /// The built-in dark theme (cannot fail: its text is tested).
    public static let fallback: Theme = {
        if case .success(let t) = parse(BuiltinThemes.text["default"] ?? "", name: "default", base: nil) {
            return t
        }
        return Theme(name: "default", roles: [:])
    }()

    /// Attributes only, no colors (NO_COLOR, monochrome terminals).
    public var monochrome: Theme {
        var t = self
        for r in Role.allCases {
            var s = self[r]
            s.fg = .default; s.bg = .default
            t.roles[r] = s
        }
        // Keep the UI readable without color: the bar and selection stand out reversed.
        t.roles[.stats, default: RoleStyle()].attr.insert(.reverse)
        t.roles[.selection, default: RoleStyle()].attr.insert(.reverse)
        return t
    }
}
