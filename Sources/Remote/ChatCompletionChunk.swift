/// One `chat.completion.chunk` of an OpenAI-compatible stream, reduced to what a chat
/// needs. Servers differ in where they put the reasoning: `reasoning_content` (vLLM,
/// SGLang, llama.cpp's server with a reasoning parser, NIM), `reasoning` (some vLLM
/// versions, OpenRouter), or inside `content` between `<think>` tags (servers without a
/// parser; the session's `ThinkSplitter` separates it). Every field is optional: a
/// server sends what it has.
///
/// ```json
/// {"choices":[{"index":0,"delta":{"content":"Hi","reasoning_content":null},"finish_reason":null}],
///  "usage":{"prompt_tokens":12,"completion_tokens":3},
///  "timings":{"prompt_n":12,"prompt_ms":30.1,"predicted_n":3,"predicted_ms":60.2}}
/// ```
public struct ChatCompletionChunk: Decodable, Sendable, Equatable {
    public struct Delta: Decodable, Sendable, Equatable {
        public var content: String?
        public var reasoningContent: String?
        public var reasoning: String?
        enum CodingKeys: String, CodingKey {
            case content, reasoning
            case reasoningContent = "reasoning_content"
        }
    }
    public struct Choice: Decodable, Sendable, Equatable {
        public var delta: Delta?
        public var finishReason: String?
        enum CodingKeys: String, CodingKey {
            case delta
            case finishReason = "finish_reason"
        }
    }
    /// Token counts as the server counted them (sent on the last chunk when
    /// `stream_options.include_usage` is set).
    public struct Usage: Decodable, Sendable, Equatable {
        public var promptTokens: Int?
        public var completionTokens: Int?
        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
        }
    }
    /// llama.cpp's server's own timings (milliseconds).
    public struct Timings: Decodable, Sendable, Equatable {
        public var promptN: Int?
        public var promptMS: Double?
        public var predictedN: Int?
        public var predictedMS: Double?
        public var cacheN: Int?
        enum CodingKeys: String, CodingKey {
            case promptN = "prompt_n", promptMS = "prompt_ms", predictedN = "predicted_n"
            case predictedMS = "predicted_ms", cacheN = "cache_n"
        }
    }
    /// An error reported inside the stream (some servers send one instead of a status).
    public struct ServerError: Decodable, Sendable, Equatable {
        public var message: String?
    }

    public var choices: [Choice]?
    public var usage: Usage?
    public var timings: Timings?
    public var error: ServerError?

    /// The reasoning text of the first choice's delta, whichever field carried it.
    public var reasoningText: String? {
        let d = choices?.first?.delta
        return d?.reasoningContent ?? d?.reasoning
    }
    public var contentText: String? { choices?.first?.delta?.content }
    public var finishReason: String? { choices?.first?.finishReason }
}
