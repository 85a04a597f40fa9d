import Foundation

/// Where the test data and oracles live. `scripts/setup.sh --test` (run by the README's
/// test command) puts them there; a test that needs one and finds it missing fails with
/// a message saying so, it never skips silently.
public enum TestEnv {
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    /// `$PONDER_CACHE`, else `$XDG_CACHE_HOME/ponder`, else `~/.cache/ponder`.
    public static var cacheDir: URL {
        let env = ProcessInfo.processInfo.environment
        if let p = env["PONDER_CACHE"], !p.isEmpty { return URL(fileURLWithPath: p) }
        if let x = env["XDG_CACHE_HOME"], !x.isEmpty {
            return URL(fileURLWithPath: x).appendingPathComponent("ponder")
        }
        return FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".cache/ponder")
    }

    public static var modelsDir: URL { cacheDir.appendingPathComponent("models") }

    /// The venv Python with numpy, gguf, tokenizers and the test-data packages.
    public static func python() throws -> URL {
        let p = cacheDir.appendingPathComponent("venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: p.path) else {
            throw Missing(description: "no oracle venv at \(p.path): run scripts/setup.sh --test")
        }
        return p
    }

    /// A test model in the cache, e.g. "SmolLM2-135M-Instruct.Q4_1.gguf".
    public static func model(_ name: String) throws -> URL {
        let p = modelsDir.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: p.path) else {
            throw Missing(description: "missing test model \(p.path): run scripts/setup.sh --test")
        }
        return p.resolvingSymlinksInPath()
    }

    public static var smolQ4_1: URL { get throws { try model("SmolLM2-135M-Instruct.Q4_1.gguf") } }
    public static var smolQ8_0: URL { get throws { try model("SmolLM2-135M-Instruct.Q8_0.gguf") } }
    /// The Q8_0 file requantized to Q4_0: a draft model with the same vocabulary.
    public static var smolQ4_0: URL { get throws { try model("SmolLM2-135M-Instruct.Q4_0.gguf") } }
    public static var gemmaQ4KM: URL { get throws { try model("gemma-3-270m-q4_k_m.gguf") } }

    /// The repository root (for scripts/ and test fixtures), found from this file's path.
    public static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The `ponder` executable built beside the test bundle.
    public static func ponderBinary() throws -> URL {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let p = candidate.appendingPathComponent("ponder")
            if FileManager.default.isExecutableFile(atPath: p.path) { return p }
        }
        throw Missing(description: "no ponder binary beside \(dir.path): run `swift build` first")
    }
}

extension TestEnv {
    /// A new empty folder under the system's temporary folder, named `prefix-…`; the
    /// caller removes it.
    public static func freshDirectory(_ prefix: String) throws -> URL {
        let u = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }
}
