import Foundation

extension SlashCommand {
    /// One way to call a slash command: one row of the help.
    struct Form: Sendable {
        /// The argument shape after the name: `a|b` for fixed words, upper case for a
        /// value (`N`, `TEXT`, `PATH`, `PATH.md` for a path with that suffix), `[...]`
        /// for an optional part, "" for none.
        let arguments: String
        /// What the form does, for the help.
        let help: String
        /// A whole command line of this form; the parser must accept it (tested).
        let example: String

        init(_ arguments: String, _ help: String, example: String) {
            self.arguments = arguments; self.help = help; self.example = example
        }
    }

    /// One entry of the registry (`SlashCommand.registry`): all that the parser, the help
    /// (overlay, line mode, `ponder help keys`), the line modes, Tab completion and the
    /// man-page test know about one command. The handler is the case of `run` for the
    /// values `parse` returns.
    struct Spec: Sendable {
        /// The name after "/", lower case.
        let name: String
        /// Other names the parser takes for this command (the man page lists them).
        var aliases: [String] = []
        /// The help rows, in the order the help shows them.
        let forms: [Form]
        /// The command needs the screen: the line modes refuse it with one line.
        var fullScreenOnly = false
        /// Tab completion: the fixed words the argument after `typed` (the arguments
        /// already written) may be. nil: the fixed words of the forms' first argument.
        var words: (@Sendable (_ typed: [String]) -> [String])? = nil
        /// The arguments to a typed command, or the one-line error.
        let parse: @Sendable (Arguments) -> Result<SlashCommand, ParseError>

        /// "/think".
        var slashName: String { "/" + name }

        /// The help's rows: usage ("/think on|off|toggle") and what it does.
        var helpRows: [(String, String)] {
            forms.map { f in (f.arguments.isEmpty ? slashName : slashName + " " + f.arguments, f.help) }
        }
    }

    /// A command line split for a `Spec.parse`: the name as typed, the rest of the line
    /// (trimmed, verbatim, for text and paths) and the rest split at spaces.
    struct Arguments: Sendable {
        /// The name after "/", lower-cased ("" when the line is just "/").
        let name: String
        let rest: String
        let words: [String]

        init(_ line: String) {
            let body = line.drop(while: { $0 == " " }).dropFirst()   // drop "/"
            name = String(body.prefix(while: { $0 != " " })).lowercased()
            rest = body.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
            words = rest.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        }

        /// The word at `i` lower-cased when there are exactly `count` words, else nil.
        func word(_ i: Int, of count: Int) -> String? {
            words.count == count ? words[i].lowercased() : nil
        }

        /// `command` when there are no arguments, else the error saying so.
        func none(_ command: SlashCommand) -> Result<SlashCommand, ParseError> {
            words.isEmpty ? .success(command) : fail("/\(name) takes no arguments")
        }

        func fail(_ message: String) -> Result<SlashCommand, ParseError> {
            .failure(ParseError(message: message))
        }
    }
}
