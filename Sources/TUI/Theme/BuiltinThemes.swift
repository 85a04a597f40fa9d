/// The themes of `themes/*.toml`, compiled in so the binary needs no data files.
/// A test checks each text is byte-for-byte the file in `themes/` (plus its final newline).
enum BuiltinThemes {
    static let names = ["default", "light", "solarized-dark", "mono"]
    static let text: [String: String] = [
        "default": #"""
# Ponder theme: default (dark background).
# Roles: text user assistant reasoning code stats border error selection.
# fg/bg: a name (black red green yellow blue magenta cyan white, bright-NAME),
# "#rrggbb", 0-255, or "default"; attributes: bold underline reverse dim italic.
name = "default"

[text]
fg = "default"

[user]
fg = "bright-cyan"
bold = true

[assistant]
fg = "default"

[reasoning]
fg = 245
italic = true

[code]
fg = "bright-green"
bg = 235

[stats]
fg = "white"
bg = 238

[border]
fg = "bright-blue"

[error]
fg = "bright-red"
bold = true

[selection]
fg = "black"
bg = "bright-yellow"
"""#,
        "light": #"""
# Ponder theme: light (for light terminal backgrounds).
name = "light"

[text]
fg = "default"

[user]
fg = "blue"
bold = true

[assistant]
fg = "default"

[reasoning]
fg = 242
italic = true

[code]
fg = 22
bg = 254

[stats]
fg = "black"
bg = 252

[border]
fg = "blue"

[error]
fg = "red"
bold = true

[selection]
fg = "black"
bg = 229
"""#,
        "solarized-dark": #"""
# Ponder theme: solarized-dark (Ethan Schoonover's palette as 24-bit colors).
name = "solarized-dark"

[text]
fg = "#839496"
bg = "#002b36"

[user]
fg = "#268bd2"
bg = "#002b36"
bold = true

[assistant]
fg = "#93a1a1"
bg = "#002b36"

[reasoning]
fg = "#586e75"
bg = "#002b36"
italic = true

[code]
fg = "#859900"
bg = "#073642"

[stats]
fg = "#eee8d5"
bg = "#073642"

[border]
fg = "#2aa198"
bg = "#002b36"

[error]
fg = "#dc322f"
bg = "#002b36"
bold = true

[selection]
fg = "#002b36"
bg = "#b58900"
"""#,
        "mono": #"""
# Ponder theme: mono (no colors, attributes only).
name = "mono"

[text]

[user]
bold = true

[assistant]

[reasoning]
dim = true

[code]
# code keeps its ``` fences; no attribute needed

[stats]
reverse = true

[border]

[error]
bold = true
underline = true

[selection]
reverse = true
"""#,
    ]
}
