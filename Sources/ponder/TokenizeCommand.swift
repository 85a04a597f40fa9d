import Chat
import Foundation
import GGUF
import Session
import Tokenizer
import ArgumentParser

/// `ponder tokenize --model FILE [--file PATH | TEXT] [--ids | --pieces] [--no-bos]`:
/// prints the token ids of a text as a JSON array (or the tokens' vocabulary spellings).
/// The text is plain text: special-token spellings in it are not read as special tokens.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of a text.",
        discussion: """
            Prints a JSON array of token ids (--ids, the default) or of the tokens' spellings in \
            the vocabulary (--pieces). Works on vocab-only GGUF files. Text that looks like a \
            special token (e.g. <|eot_id|>) is tokenized as plain text.
            """)

    @Option(name: .long, help: ArgumentHelp("The GGUF file whose vocabulary to use.", valueName: "FILE"))
    var model: String

    @Option(name: .long, help: ArgumentHelp("Read the text from this file ('-' for standard input).",
                                            valueName: "PATH"))
    var file: String?

    @Argument(help: "The text to tokenize (instead of --file).")
    var text: String?

    @Flag(name: .long, help: "Print token ids (the default).")
    var ids = false

    @Flag(name: .long, help: "Print the tokens' vocabulary spellings instead of ids.")
    var pieces = false

    @Flag(name: .customLong("no-bos"), help: "Do not add the BOS token even if the vocabulary asks for it.")
    var noBOS = false

    func validate() throws {
        if ids && pieces { throw ValidationError("give at most one of --ids and --pieces") }
        if (file == nil) == (text == nil) { throw ValidationError("give either TEXT or --file PATH") }
    }

    func run() throws {
        let input: String
        if let file {
            input = try TextInput.read(path: file)
        } else {
            input = text ?? ""
        }
        let tokenizer: Tokenizer
        do {
            tokenizer = try Tokenizer(gguf: GGUFFile(path: model))
        } catch let e as GGUFError {
            throw CLIError(e.description)
        } catch {
            throw CLIError("\(model): \(error)")
        }
        for w in tokenizer.warnings { TerminalOutput.warn("warning: \(w)") }
        let tokens = tokenizer.encode(input, addBOS: tokenizer.vocabulary.addBOS && !noBOS)
        if pieces {
            let spellings = tokens.map { tokenizer.spelling(of: $0) ?? "" }
            let enc = JSONEncoder()
            enc.outputFormatting = [.withoutEscapingSlashes]
            print(String(decoding: try enc.encode(spellings), as: UTF8.self))
        } else {
            print("[" + tokens.map(String.init).joined(separator: ",") + "]")
        }
    }
}
