import Session
import Tokenizer

/// The body of `POST /v1/chat/completions` for one streamed turn.
///
/// Standard fields always (`temperature`, `top_p`, `max_tokens`, `seed`); the samplers
/// OpenAI's API lacks (`top_k`, `min_p`, the repetition penalty) only when they are not
/// off, under the names vLLM (`repetition_penalty`) and llama.cpp's server
/// (`repeat_penalty`) read.
public struct ChatRequest: Encodable, Sendable, Equatable {
    public struct Message: Encodable, Sendable, Equatable {
        public var role: String
        public var content: String
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

    public init(model: String?, messages: [ChatMessage], sampling: SamplingSettings, seed: UInt64?) {
        self.model = model
        self.messages = messages.map { Message(role: $0.role.rawValue, content: $0.content) }
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
    }
}
