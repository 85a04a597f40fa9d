import ArgumentParser
import Chat
import Engine
import Foundation
import Session

struct PerplexityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Compute perplexity of a model over a text file.",
        discussion: """
            llama.cpp's method: the text is cut into chunks of --ctx tokens; each chunk is
            evaluated from an empty context and scored on its second half. Prints each
            chunk's perplexity with the running figure, then the final estimate.
            --token-ids FILE scores given token ids instead of a text.
            """)

    @Option(name: .long, help: "Model file (GGUF, llama architecture).")
    var model: String

    @Option(name: .long, help: "Text file to score.")
    var file: String?

    @Option(name: .long, help: "File of whitespace- or comma-separated token ids to score instead of --file.")
    var tokenIds: String?

    @Option(name: .long, help: "Chunk (context) length in tokens.")
    var ctx: Int = 512

    @Option(name: .long, help: "Score at most this many chunks.")
    var chunks: Int?

    func validate() throws {
        guard ctx >= 4 else { throw ValidationError("--ctx must be at least 4") }
        if let chunks, chunks <= 0 { throw ValidationError("--chunks must be positive") }
        guard (file == nil) != (tokenIds == nil) else { throw ValidationError("give exactly one of --file and --token-ids") }
    }

    func run() async throws {
        let (gguf, m) = try loadModel(model)
        let tokens: [Int32]
        var bos: Int32?
        if let tokenIds {
            tokens = try parseTokenList(TextInput.read(path: tokenIds))
        } else {
            let path = file ?? ""
            let text = try TextInput.read(path: path)
            let tokenizer = try loadTokenizer(gguf)
            // As llama.cpp: BOS at the start, and as every chunk's first token, when the
            // vocabulary adds one.
            bos = tokenizer.vocabulary.addBOS ? tokenizer.bos : nil
            tokens = tokenizer.encode(text, addBOS: bos != nil)
        }
        do {
            let context = try LlamaContext(model: m, capacity: ctx)
            let n = tokens.count / ctx
            print("perplexity: \(tokens.count) tokens, \(min(n, chunks ?? n)) chunks of \(ctx)")
            let clock = ContinuousClock()
            let start = clock.now
            var previous = 0.0
            let result = try context.perplexity(tokens: tokens, maxChunks: chunks ?? .max, bos: bos) { r in
                let i = r.chunkNLL.count
                let scored = Double(ctx - 1 - ctx / 2)
                let chunkPPL = Foundation.exp(r.chunkNLL[i - 1] / scored)
                let secs = (clock.now - start) / .seconds(1)
                print(String(format: "[%d] chunk %.4f  running %.4f  (%.1f s)", i, chunkPPL, r.perplexity, secs))
                previous = r.perplexity
            }
            _ = previous
            print(String(format: "Final estimate: PPL = %.4f over %d scored tokens", result.perplexity, result.scoredTokens))
        } catch {
            throw CLIError("\(error)")
        }
    }
}
