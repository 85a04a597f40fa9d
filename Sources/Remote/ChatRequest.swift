import Session
import Tokenizer

/// The body of `POST /v1/chat/completions` for one streamed turn.
///
/// A think budget goes to the servers that take one per request: llama.cpp's server
/// (`thinking_budget_tokens`, its reasoning-budget sampler closes the think block) and
/// vLLM (`thinking_token_budget`, when it runs with `--reasoning-config`); other servers
/// ignore fields they do not know. `continuing` asks for the answer after reasoning the
/// client cut short (see `RemoteTurnBackend`).
///
/// Standard fields always (`temperature`, `top_p`, `max_tokens`, `seed`); the samplers
/// OpenAI's API lacks (`top_k`, `min_p`, the repetition penalty) only when they are not
/// off, under the names vLLM (`repetition_penalty`) and llama.cpp's server
/// (`repeat_penalty`) read.
public struct ChatRequest: Encodable, Sendable, Equatable {
    public struct Message: Encodable, Sendable, Equatable {
        public var role: String
        public var content: String
        /// An assistant message's reasoning, apart from its content (llama.cpp's server
        /// and vLLM render it into the template's think block).
        public var reasoning_content: String?
    }
    struct StreamOptions: Encodable, Sendable, Equatable {
        var include_usage = true
    }

    public var model: String?
    public var messages: [Message]
    var stream = true
    var stream_options = StreamOptions()
    public var temperature: Double
    public var top_p: Double
    public var max_tokens: Int
    public var seed: UInt64?
    public var top_k: Int?
    public var min_p: Double?
    public var repetition_penalty: Double?
    public var repeat_penalty: Double?
    public var thinking_budget_tokens: Int?
    public var thinking_token_budget: Int?
    var continue_final_message: ContinuationForm?
    var add_generation_prompt: Bool?

    /// How a server is asked to continue the final assistant message. llama.cpp's server
    /// takes `"content"`: the message is continued in its content, after its reasoning
    /// (its `true` continues the reasoning, where the rendered message stops). vLLM's
    /// field is a boolean (a string is a 400 there); `true` continues the message's
    /// content, with `add_generation_prompt: false`.
    public enum ContinuationForm: Sendable, Equatable, Encodable {
        case content
        case boolean
        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .content: try c.encode("content")
            case .boolean: try c.encode(true)
            }
        }
    }

    public init(model: String?, messages: [ChatMessage], sampling: SamplingSettings, seed: UInt64?,
                thinkBudget: Int? = nil) {
        self.model = model
        self.messages = messages.map { Message(role: $0.role.rawValue, content: $0.content, reasoning_content: nil) }
        temperature = sampling.temperature
        top_p = sampling.topP
        max_tokens = sampling.maxTokens
        self.seed = seed
        if sampling.temperature > 0 {
            if sampling.topK > 0 { top_k = sampling.topK }
            if sampling.minP > 0 { min_p = sampling.minP }
        }
        if sampling.repetitionPenalty != 1 {
            repetition_penalty = sampling.repetitionPenalty
            repeat_penalty = sampling.repetitionPenalty
        }
        thinking_budget_tokens = thinkBudget
        thinking_token_budget = thinkBudget
    }

    /// The request that continues this one's reply after its reasoning: the reasoning so
    /// far as the final assistant message's `reasoning_content`, its content (`answer`:
    /// empty, or what arrived of the answer when the stream was closed) to be continued,
    /// so the server's template closes the think block as the model's own turns close it
    /// and the model writes its answer. `maxTokens`: what is left of the turn's limit.
    /// No budget: the reasoning is over. `form`: how this server takes the request.
    public func continuing(reasoning: String, answer: String = "", maxTokens: Int,
                           form: ContinuationForm = .content) -> ChatRequest {
        var r = self
        r.messages.append(Message(role: "assistant", content: answer, reasoning_content: reasoning))
        r.continue_final_message = form
        r.add_generation_prompt = false
        r.max_tokens = max(1, maxTokens)
        r.thinking_budget_tokens = nil
        r.thinking_token_budget = nil
        return r
    }
}
