import ArgumentParser
import Engine
import Foundation

struct PerplexityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Compute perplexity of a model over a text file.",
        discussion: """
            llama.cpp's method: the text is cut into chunks of --ctx tokens; each chunk is
            evaluated from an empty context and scored on its second half. Prints each
            chunk's perplexity with the running figure, then the final estimate.
            Until the tokenizer is merged, give the text as token ids with --token-ids FILE.
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
        let tokens: [Int32]
        if let tokenIds {
            guard let text = try? String(contentsOfFile: tokenIds, encoding: .utf8) else {
                throw CLIError("cannot read \(tokenIds)")
            }
            tokens = try parseTokenList(text)
        } else {
            throw CLIError("scoring text needs the tokenizer, which is not built yet; pass token ids with --token-ids FILE")
        }
        do {
            let m = try LlamaModel(path: model)
            let context = try LlamaContext(model: m, capacity: ctx)
            let n = tokens.count / ctx
            print("perplexity: \(tokens.count) tokens, \(min(n, chunks ?? n)) chunks of \(ctx)")
            let clock = ContinuousClock()
            let start = clock.now
            var previous = 0.0
            let result = try context.perplexity(tokens: tokens, maxChunks: chunks ?? .max) { r in
                let i = r.chunkNLL.count
                let scored = Double(ctx - 1 - ctx / 2)
                let chunkPPL = Foundation.exp(r.chunkNLL[i - 1] / scored)
                let secs = (clock.now - start) / .seconds(1)
                print(String(format: "[%d] chunk %.4f  running %.4f  (%.1f s)", i, chunkPPL, r.perplexity, secs))
                previous = r.perplexity
            }
            _ = previous
            print(String(format: "Final estimate: PPL = %.4f over %d scored tokens", result.perplexity, result.scoredTokens))
        } catch let e as CLIError {
            throw e
        } catch {
            throw CLIError("\(error)")
        }
    }
}
