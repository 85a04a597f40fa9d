// libFuzzer entry point for the server-sent-events parser and the chunk decoder. Built by
// fuzz/run.sh with
//   swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name Remote \
//       Sources/Remote/ServerSentEvents.swift Sources/Remote/ChatCompletionChunk.swift fuzz/SSEFuzz.swift
// (the parser's and the decoder's sources compiled with this file, as the GGUF harness is).
// Input: the first byte picks a line limit and a cut pattern, the rest is a response body
// as an untrusted server could send it. The body is fed whole and again cut into chunks
// of varying size (inside lines, CRLF pairs, UTF-8 sequences): both must give the same
// events (or both the same error), which is what the parser promises. Every event's data
// is then decoded as a `chat.completion.chunk` and its fields read, as the client does.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func sseFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = data[0]
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    // A small limit reaches the too-long paths; a large one the ordinary ones.
    let limit = control & 0x80 != 0 ? Int(control & 0x3F) + 1 : 8 << 20

    var whole = ServerSentEventParser(maxLineBytes: limit)
    let a = Result { try whole.feed(body) }
    whole.finish()

    var cut = ServerSentEventParser(maxLineBytes: limit)
    var chunked: [ServerSentEvent] = []
    var b: Result<[ServerSentEvent], Error>?
    var i = 0, step = 0
    while i < body.count, b == nil {
        // Chunk sizes 1...8 in a pattern the control byte picks.
        let n = min(body.count - i, Int((control &+ UInt8(truncatingIfNeeded: step &* 5)) % 8) + 1)
        do { chunked += try cut.feed(body[i..<(i + n)]) } catch { b = .failure(error) }
        i += n; step += 1
    }
    let b2 = b ?? .success(chunked)
    switch (a, b2) {
    case (.success(let x), .success(let y)):
        if x != y { fatalError("chunking changed the events: \(x) vs \(y)") }
    case (.failure, .failure): break
    default: fatalError("chunking changed whether the body is an error")
    }

    guard case .success(let events) = a else { return 0 }
    for e in events where e.data != "[DONE]" {
        guard let c = try? JSONDecoder().decode(ChatCompletionChunk.self, from: Data(e.data.utf8)) else { continue }
        _ = c.reasoningText; _ = c.contentText; _ = c.finishReason; _ = c.error?.message
        _ = c.usage?.promptTokens; _ = c.timings?.predictedMS
    }
    return 0
}
