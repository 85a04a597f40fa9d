/// Tokens of type USER_DEFINED (e.g. Gemma's whitespace runs `"  "`, `"\n\n"`) are
/// recognised in plain text, as llama.cpp and HF do for non-special added tokens. Chat
/// markers are never among them (see `chatMarkers`), so user text cannot forge a turn.
struct UserDefinedTokens: Sendable {
    /// Candidates by first byte, longest first: (spelling bytes, id). (256)
    private let byFirstByte: [[(bytes: [UInt8], id: TokenID)]]
    let isEmpty: Bool

    /// Spellings that open or close turns in the chat formats we render (and Gemma's):
    /// never matched in text, even where a converter wrote them as USER_DEFINED.
    static let chatMarkers: Set<String> = [
        "<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<|eom_id|>",
        "<|end_of_text|>", "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<｜begin▁of▁sentence｜>",
        "<｜end▁of▁sentence｜>", "<｜User｜>", "<｜Assistant｜>", "<start_of_turn>", "<end_of_turn>"]

    init(vocabulary v: Vocabulary) {
        var table = [[(bytes: [UInt8], id: TokenID)]](repeating: [], count: 256)
        var any = false
        for (i, t) in v.tokens.enumerated() where v.types[i] == .userDefined && !t.isEmpty
            && !Self.chatMarkers.contains(t) {
            let b = Array(t.utf8)
            table[Int(b[0])].append((b, TokenID(i)))
            any = true
        }
        for i in 0..<256 { table[i].sort { $0.bytes.count > $1.bytes.count } }
        byFirstByte = table
        isEmpty = !any
    }

    /// Splits `text` into runs of plain text and user-defined tokens (leftmost, longest
    /// first), calling `plain` for each text run and `token` for each token.
    func partition(_ text: [UInt8], plain: (ArraySlice<UInt8>) -> Void, token: (TokenID) -> Void) {
        var start = 0, i = 0
        let n = text.count
        while i < n {
            var matched: (count: Int, id: TokenID)?
            for c in byFirstByte[Int(text[i])] where c.bytes.count <= n - i {
                if text[i..<(i + c.bytes.count)].elementsEqual(c.bytes) { matched = (c.bytes.count, c.id); break }
            }
            guard let m = matched else { i += 1; continue }
            if i > start { plain(text[start..<i]) }
            token(m.id)
            i += m.count
            start = i
        }
        if n > start { plain(text[start..<n]) }
    }
}
