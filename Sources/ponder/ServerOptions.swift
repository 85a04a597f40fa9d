import ArgumentParser
import Chat
import Foundation
import Remote
import Session

/// `--server URL` and `--served-model NAME`, shared by `chat`, `run`, `models`, `bench`
/// and `replay`. Each falls back to `$PONDER_SERVER` / `$PONDER_SERVED_MODEL`, then to the
/// config file (`ServerConfig`). The API key never comes from here (see `APIKey`).
struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "An OpenAI-compatible server to chat with instead of a local model (vLLM, SGLang, NIM, llama.cpp's server), e.g. http://127.0.0.1:8080; default $PONDER_SERVER, else server in ~/.config/ponder/config.toml. The API key comes from $PONDER_API_KEY, $OPENAI_API_KEY, the file named by $PONDER_API_KEY_FILE or by api_key_file in the config file.",
        valueName: "URL"))
    var server: String?

    @Option(name: .long, help: ArgumentHelp(
        "The model name the server serves (default $PONDER_SERVED_MODEL, else served_model in the config file, else the first model the server lists).",
        valueName: "NAME"))
    var servedModel: String?

    private var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The config file's settings; a bad file is one error line naming file and line.
    func config() throws -> ServerConfig {
        do { return try ServerConfig.load(environment: environment) } catch { throw CLIError("\(error)") }
    }

    /// The server to use, if any: the flag, else the environment, else the config file.
    var serverURL: String? {
        get throws { try config().server(flag: server, environment: environment) }
    }

    /// The served model named by the flag, the environment or the config file.
    var servedModelName: String? {
        get throws { try config().servedModel(flag: servedModel, environment: environment) }
    }

    /// The API key file the config file names (the environment's wins in `APIKey`).
    var keyFile: String? {
        get throws { try config().apiKeyFile }
    }

    /// A client for the server, or nil when none is named; a bad URL or key file is one error line.
    func client() throws -> OpenAIClient? {
        guard let url = try serverURL else { return nil }
        do {
            let client = try OpenAIClient(server: url, keyFile: try keyFile)
            if let w = client.endpoint.plainTextWarning { TerminalOutput.warn("warning: \(w)") }
            return client
        } catch {
            throw CLIError("\(error)")
        }
    }
}
