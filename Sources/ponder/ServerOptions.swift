import ArgumentParser
import Chat
import Foundation
import Remote
import Session

/// `--server URL` and `--served-model NAME`, shared by `chat`, `run`, `models` and `bench`.
/// Defaults: `$PONDER_SERVER`, `$PONDER_SERVED_MODEL`. The API key never comes from here
/// (see `APIKey`).
struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "An OpenAI-compatible server to chat with instead of a local model (vLLM, SGLang, NIM, llama.cpp's server), e.g. http://127.0.0.1:8080; default $PONDER_SERVER. The API key comes from $PONDER_API_KEY, $OPENAI_API_KEY or the file named by $PONDER_API_KEY_FILE.",
        valueName: "URL"))
    var server: String?

    @Option(name: .long, help: ArgumentHelp(
        "The model name the server serves (default $PONDER_SERVED_MODEL, else the first model the server lists).",
        valueName: "NAME"))
    var servedModel: String?

    /// The server to use, if any: the flag, else the environment.
    var serverURL: String? {
        if let server, !server.isEmpty { return server }
        let env = ProcessInfo.processInfo.environment["PONDER_SERVER"]
        return env?.isEmpty == false ? env : nil
    }

    var servedModelName: String? {
        if let servedModel, !servedModel.isEmpty { return servedModel }
        let env = ProcessInfo.processInfo.environment["PONDER_SERVED_MODEL"]
        return env?.isEmpty == false ? env : nil
    }

    /// A client for the server, or nil when none is named; a bad URL or key file is one error line.
    func client() throws -> OpenAIClient? {
        guard let url = serverURL else { return nil }
        do {
            let client = try OpenAIClient(server: url)
            if let w = client.endpoint.unencryptedWarning { TerminalOutput.warn("warning: \(w)") }
            return client
        } catch {
            throw CLIError("\(error)")
        }
    }
}
