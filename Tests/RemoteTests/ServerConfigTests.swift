import Foundation
import Testing
import TestSupport
@testable import Remote

/// `config.toml`: its settings, their precedence under flags and `PONDER_*`, the API key
/// file it names, and one-line errors for a bad file. The CLI half runs the real binary
/// against loopback ports nobody listens on: the refusal names the URL it tried.
@Suite struct ServerConfigTests {
    @Test func parsesTheThreeSettings() throws {
        let c = try ServerConfig.parse("""
            # defaults for ponder
            server = "http://gpu:8000"   # the box
            served_model = "nvidia/Nemotron-Super"
            api_key_file = "~/keys/ponder"
            """, file: "/cfg/ponder/config.toml", home: "/home/u")
        #expect(c == ServerConfig(server: "http://gpu:8000", servedModel: "nvidia/Nemotron-Super", apiKeyFile: "/home/u/keys/ponder"))
        #expect(try ServerConfig.parse("api_key_file = \"key\"", file: "/cfg/ponder/config.toml").apiKeyFile == "/cfg/ponder/key")
        #expect(try ServerConfig.parse("", file: "/x") == ServerConfig())
    }

    @Test func aBadFileIsOneLineNamingFileAndLine() {
        let cases: [(String, String)] = [
            ("server = \"a\"\nserver = \"b\"", "/c.toml:2: key server repeated"),
            ("\n\nservr = \"http://h\"", "/c.toml:3: unknown key servr"),
            ("server = 8000", "/c.toml:1: server must be a non-empty \"string\""),
            ("server = \"\"", "/c.toml:1: server must be"),
            ("server = \"http://h", "/c.toml:1: unclosed string"),
            ("# x\n[server]\nurl = \"h\"", "/c.toml:2: unknown section [server]"),
        ]
        for (text, says) in cases {
            do {
                _ = try ServerConfig.parse(text, file: "/c.toml")
                Issue.record("accepted: \(text)")
            } catch {
                let line = "\(error)"
                #expect(line.hasPrefix(says), "\(text): \(line)")
                #expect(!line.contains("\n"))
            }
        }
    }

    @Test func flagBeatsEnvironmentBeatsFile() {
        let c = ServerConfig(server: "http://file", servedModel: "file-model")
        #expect(c.server(flag: "http://flag", environment: ["PONDER_SERVER": "http://env"]) == "http://flag")
        #expect(c.server(flag: nil, environment: ["PONDER_SERVER": "http://env"]) == "http://env")
        #expect(c.server(flag: "", environment: ["PONDER_SERVER": ""]) == "http://file")
        #expect(ServerConfig().server(flag: nil, environment: [:]) == nil)
        #expect(c.servedModel(flag: nil, environment: ["PONDER_SERVED_MODEL": "env-model"]) == "env-model")
        #expect(c.servedModel(flag: nil, environment: [:]) == "file-model")
    }

    @Test func theKeyFileIsPrivateAndNeverEchoed() throws {
        let dir = try TestEnv.freshDirectory("ponder-keyfile")
        defer { try? FileManager.default.removeItem(at: dir) }
        let secret = "sk-config-file-key-4242"
        let file = dir.appendingPathComponent("key").path
        try Data((secret + "\n").utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        #expect(try APIKey.fromEnvironment([:], configKeyFile: file)?.value == secret)
        // The environment's key and key file win over the config file's.
        #expect(try APIKey.fromEnvironment(["PONDER_API_KEY": "sk-env"], configKeyFile: file)?.value == "sk-env")
        #expect(throws: RemoteError.self) {
            try APIKey.fromEnvironment(["PONDER_API_KEY_FILE": dir.appendingPathComponent("none").path], configKeyFile: file)
        }
        for mode in [0o640, 0o604, 0o620] {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
            do {
                _ = try APIKey.fromEnvironment([:], configKeyFile: file)
                Issue.record("mode \(String(mode, radix: 8)) accepted")
            } catch {
                #expect("\(error)".contains("chmod 600"), "\(error)")
                #expect("\(error)".contains(file) && !"\(error)".contains(secret))
            }
        }
        // Not a regular file: refused before anything is read.
        #expect(throws: RemoteError.self) { try APIKey.fromEnvironment([:], configKeyFile: dir.path) }
    }

    /// The binary: which server `ponder models` tries shows the precedence; a bad config
    /// file or key file stops it with one line.
    @Test func theCommandLineFollowsTheFile() throws {
        let bin = try TestEnv.ponderBinary()
        let dir = try TestEnv.freshDirectory("ponder-config")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cfgDir = dir.appendingPathComponent("ponder")
        try FileManager.default.createDirectory(at: cfgDir, withIntermediateDirectories: true)
        let cfg = cfgDir.appendingPathComponent("config.toml")
        var env = ProcessInfo.processInfo.environment
        for k in ["PONDER_SERVER", "PONDER_SERVED_MODEL", "PONDER_API_KEY", "OPENAI_API_KEY", "PONDER_API_KEY_FILE"] {
            env[k] = nil
        }
        env["XDG_CONFIG_HOME"] = dir.path
        let (pFile, pEnv, pFlag) = (LlamaServer.freePort(), LlamaServer.freePort(), LlamaServer.freePort())
        try Data("server = \"http://127.0.0.1:\(pFile)\"\n".utf8).write(to: cfg)

        func tried(_ args: [String], _ env: [String: String]) throws -> String {
            let r = try runProcess(bin, ["models"] + args, environment: env, timeout: 60)
            #expect(r.status != 0)
            #expect(r.stderrText.split(separator: "\n").count == 1, "\(r.stderrText)")
            return r.stderrText
        }
        #expect(try tried([], env).contains("127.0.0.1:\(pFile)/v1"))
        var withEnv = env
        withEnv["PONDER_SERVER"] = "http://127.0.0.1:\(pEnv)"
        #expect(try tried([], withEnv).contains("127.0.0.1:\(pEnv)/v1"))
        #expect(try tried(["--server", "http://127.0.0.1:\(pFlag)"], withEnv).contains("127.0.0.1:\(pFlag)/v1"))

        // A key file others can read: refused by name, its key never shown.
        let key = cfgDir.appendingPathComponent("key")
        try Data("sk-must-not-show-77\n".utf8).write(to: key)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key.path)
        try Data("server = \"http://127.0.0.1:\(pFile)\"\napi_key_file = \"key\"\n".utf8).write(to: cfg)
        let open = try tried([], env)
        #expect(open.contains(key.path) && open.contains("chmod 600") && !open.contains("sk-must-not-show-77"), "\(open)")

        // A bad config file: the file and the line.
        try Data("server = \"http://127.0.0.1:\(pFile)\"\nmodel = \"x\"\n".utf8).write(to: cfg)
        let bad = try tried([], env)
        #expect(bad.contains("\(cfg.path):2: unknown key model"), "\(bad)")
    }
}
