/// Token ids are Int32, as in GGUF and llama.cpp.
public typealias TokenID = Int32

/// A piece of a prompt: plain text (tokenized as text, whatever it contains) or the
/// spelling of a special token (looked up whole; only Ponder's own templates make these).
public enum Segment: Sendable, Equatable {
    case text(String)
    case special(String)
}

/// Turns text into token ids and back for one vocabulary (byte-level BPE or SentencePiece).
/// Immutable after construction, so one instance may be shared by any number of threads.
public final class Tokenizer: Sendable {
    public let vocabulary: Vocabulary
    /// The split in use for byte-level BPE (nil for SentencePiece).
    public let preTokenizer: PreTokenizer?
    /// Things the user should know (e.g. an unknown `tokenizer.ggml.pre` fell back).
    public let warnings: [String]
    /// Tokens that end a turn: EOS, EOT and the control tokens that close a message.
    public let endOfGeneration: Set<TokenID>

    private let bpe: BytePairEncoder?
    private let spm: SentencePieceEncoder?
    /// Every token by its exact vocabulary spelling (first id wins).
    private let idsBySpelling: [ByteKey: TokenID]
    /// Decoded bytes of token i are `pieceBytes[pieceStart[i]..<pieceStart[i+1]]`.
    private let pieceBytes: [UInt8]
    private let pieceStart: [Int32]     // (n_vocab + 1)
    private let isControl: [Bool]       // (n_vocab)

    public var vocabularySize: Int { vocabulary.tokens.count }
    public var bos: TokenID? { vocabulary.bos }
    public var eos: TokenID? { vocabulary.eos }

    /// Builds the lookup structures. Throws `TokenizerError` for an unusable description
    /// (no tokens, ids out of range, a BPE vocabulary without merges).
    public init(vocabulary v: Vocabulary, fileWarnings: [String] = []) throws {
        let n = v.tokens.count
        guard n > 0 else { throw TokenizerError("tokenizer.ggml.tokens: the vocabulary is empty") }
        guard v.types.count == n else {
            throw TokenizerError("tokenizer.ggml.token_type: \(v.types.count) types for \(n) tokens")
        }
        for (key, id) in [("bos", v.bos), ("eos", v.eos), ("eot", v.eot), ("unknown", v.unknown),
                          ("padding", v.padding)] {
            if let id, id < 0 || Int(id) >= n {
                throw TokenizerError("tokenizer.ggml.\(key)_token_id: \(id) is outside the vocabulary of \(n)")
            }
        }
        vocabulary = v
        var warnings = fileWarnings
        var ids: [ByteKey: TokenID] = [:]
        ids.reserveCapacity(n)
        for (i, t) in v.tokens.enumerated() where ids[ByteKey(t)] == nil { ids[ByteKey(t)] = TokenID(i) }
        idsBySpelling = ids

        // Decoded bytes of every token.
        var bytes: [UInt8] = [], starts: [Int32] = [0], control: [Bool] = []
        bytes.reserveCapacity(n * 6); starts.reserveCapacity(n + 1); control.reserveCapacity(n)
        for (i, t) in v.tokens.enumerated() {
            let type = v.types[i]
            control.append(type == .control)
            switch (v.model, type) {
            case (.bytePair, .control):
                bytes.append(contentsOf: t.utf8)
            case (.bytePair, _):
                bytes.append(contentsOf: ByteLevel.decode(t) ?? Array(t.utf8))
            case (.sentencePiece, .byte):
                if let b = Self.byteTokenValue(t) { bytes.append(b) } else { bytes.append(contentsOf: t.utf8) }
            case (.sentencePiece, .normal), (.sentencePiece, .userDefined):
                for s in t.unicodeScalars {
                    if s == "\u{2581}" { bytes.append(0x20) } else { appendUTF8(s.value, to: &bytes) }
                }
            case (.sentencePiece, _):
                bytes.append(contentsOf: t.utf8)
            }
            starts.append(Int32(bytes.count))
        }
        pieceBytes = bytes; pieceStart = starts; isControl = control

        switch v.model {
        case .bytePair:
            guard !v.merges.isEmpty else { throw TokenizerError("tokenizer.ggml.merges: missing for a gpt2 vocabulary") }
            var pre = PreTokenizer.llama3
            if let name = v.preName {
                if let p = PreTokenizer(ggufName: name) { pre = p } else {
                    warnings.append("unknown tokenizer.ggml.pre '\(name)': using the llama-bpe split; tokens may differ from the model's own")
                }
            } else {
                warnings.append("no tokenizer.ggml.pre: using the llama-bpe split; tokens may differ from the model's own")
            }
            preTokenizer = pre
            var byteToId = [TokenID](repeating: -1, count: 256)
            for b in 0..<256 {
                let spelling = ByteKey(ByteLevel.encode([UInt8(b)]))
                if let id = ids[spelling] { byteToId[b] = id }
            }
            var table = PairTable(capacity: v.merges.count)
            for (rank, m) in v.merges.enumerated() {
                let u = Array(m.utf8)
                guard let sp = u.firstIndex(of: 0x20) else { continue }
                let l = Array(u[..<sp]), r = Array(u[(sp + 1)...])
                guard let li = ids[ByteKey(l)], let ri = ids[ByteKey(r)], let mi = ids[ByteKey(l + r)] else { continue }
                table.insert(left: li, right: ri, rank: TokenID(rank), merged: mi)
            }
            var whole: [ByteKey: TokenID] = [:]
            if pre == .llama3 {   // HF's Llama-3 tokenizer.json sets ignore_merges
                for i in 0..<n where v.types[i] == .normal {
                    let k = ByteKey(Array(bytes[Int(starts[i])..<Int(starts[i + 1])]))
                    if whole[k] == nil { whole[k] = TokenID(i) }
                }
            }
            bpe = BytePairEncoder(byteToId: byteToId, pairs: table, ignoreMerges: pre == .llama3,
                                  wholeTokens: whole)
            spm = nil
        case .sentencePiece:
            preTokenizer = nil
            var byteTokens = [TokenID](repeating: -1, count: 256)
            for b in 0..<256 {
                let hex = String(b, radix: 16, uppercase: true)
                if let id = ids[ByteKey("<0x" + (b < 16 ? "0" : "") + hex + ">")] { byteTokens[b] = id }
            }
            let scores = v.scores.count == n ? v.scores : [Float](repeating: 0, count: n)
            spm = SentencePieceEncoder(tokenIds: ids, scores: scores, byteTokens: byteTokens, unknown: v.unknown)
            bpe = nil
        }

        var eog = Set<TokenID>()
        for id in [v.eos, v.eot] { if let id { eog.insert(id) } }
        let turnEnders: Set<String> = ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
                                       "<|eom_id|>", "<EOT>", "<|end_of_text|>", "<｜end▁of▁sentence｜>"]
        for (i, t) in v.tokens.enumerated() where v.types[i] == .control && turnEnders.contains(t) {
            eog.insert(TokenID(i))
        }
        endOfGeneration = eog
        self.warnings = warnings
    }

    private static func byteTokenValue(_ t: String) -> UInt8? {
        let u = Array(t.utf8)
        guard u.count == 6, u[0] == 0x3C, u[1] == 0x30, u[2] == 0x78, u[5] == 0x3E else { return nil }
        return UInt8(String(decoding: u[3...4], as: UTF8.self), radix: 16)
    }

    // MARK: encoding

    /// Token ids of plain text. Nothing in `text` is ever read as a special token.
    public func encode(_ text: String, addBOS: Bool = false) -> [TokenID] {
        var out: [TokenID] = []
        if addBOS, let bos = vocabulary.bos { out.append(bos) }
        appendText(text, afterSpecial: true, to: &out)
        return out
    }

    /// Token ids of a rendered prompt: `.special` segments must be the exact spelling of
    /// a vocabulary token; `.text` segments are plain text.
    public func encode(_ segments: [Segment], addBOS: Bool = false) throws -> [TokenID] {
        var out: [TokenID] = []
        if addBOS, let bos = vocabulary.bos { out.append(bos) }
        var afterSpecial = true
        for seg in Self.coalesced(segments) {
            switch seg {
            case .text(let t):
                if t.isEmpty { continue }
                appendText(t, afterSpecial: afterSpecial, to: &out)
                afterSpecial = false
            case .special(let s):
                guard let id = specialTokenID(s) else {
                    throw TokenizerError("the vocabulary has no token '\(s)' that the chat format needs")
                }
                out.append(id)
                afterSpecial = true
            }
        }
        return out
    }

    /// Adjacent text segments joined, so a prompt tokenizes as its rendered text does.
    static func coalesced(_ segments: [Segment]) -> [Segment] {
        var out: [Segment] = []
        for seg in segments {
            if case .text(let t) = seg, case .text(let prev)? = out.last {
                out[out.count - 1] = .text(prev + t)
            } else {
                out.append(seg)
            }
        }
        return out
    }

    /// The id of the token spelled exactly `spelling`, if any.
    public func specialTokenID(_ spelling: String) -> TokenID? { idsBySpelling[ByteKey(spelling)] }

    private func appendText(_ text: String, afterSpecial: Bool, to out: inout [TokenID]) {
        if let spm {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.utf8.count + 3)
            if vocabulary.addSpacePrefix && afterSpecial { bytes.append(contentsOf: [0xE2, 0x96, 0x81]) }
            for b in text.utf8 { if b == 0x20 { bytes.append(contentsOf: [0xE2, 0x96, 0x81]) } else { bytes.append(b) } }
            spm.encode(bytes, into: &out)
            return
        }
        guard let bpe, let pre = preTokenizer else { return }
        var utf8 = Array(text.utf8)
        utf8.withUnsafeMutableBufferPointer { mb in
            let bytes = UnsafeBufferPointer(mb)
            let st = ScalarText(bytes)
            var ends: [Int] = []
            ends.reserveCapacity(st.scalars.count / 3 + 1)
            st.scalars.withUnsafeBufferPointer { pre.split($0, 0, $0.count, into: &ends) }
            var cache = WordCache()
            var scratch = MergeScratch()
            var start = 0
            for end in ends {
                let lo = Int(st.starts[start]), hi = Int(st.starts[end])
                start = end
                let piece = UnsafeBufferPointer(rebasing: bytes[lo..<hi])
                if piece.count <= 1 { bpe.encodePiece(piece, into: &out, scratch: &scratch); continue }
                if cache.lookup(piece, into: &out) { continue }
                let before = out.count
                bpe.encodePiece(piece, into: &out, scratch: &scratch)
                cache.insert(piece, out[before...])
            }
        }
    }

    // MARK: decoding

    /// The bytes token `id` stands for; control tokens give their spelling only when
    /// `includeSpecial`, otherwise nothing. Out-of-range ids give nothing.
    public func bytes(of id: TokenID, includeSpecial: Bool = false) -> ArraySlice<UInt8> {
        guard id >= 0, Int(id) < isControl.count, includeSpecial || !isControl[Int(id)] else { return [] }
        return pieceBytes[Int(pieceStart[Int(id)])..<Int(pieceStart[Int(id) + 1])]
    }

    /// True for tokens of type CONTROL (BOS, EOS, `<|eot_id|>`, `<|im_start|>`, …).
    public func isControlToken(_ id: TokenID) -> Bool {
        id >= 0 && Int(id) < isControl.count && isControl[Int(id)]
    }

    /// True when SentencePiece decoding drops the space that encoding put in front.
    public var stripsLeadingSpace: Bool { vocabulary.model == .sentencePiece && vocabulary.addSpacePrefix }

    /// The text of `ids`; invalid UTF-8 (a character cut short) becomes U+FFFD.
    public func decode(_ ids: [TokenID], includeSpecial: Bool = false) -> String {
        var out: [UInt8] = []
        for id in ids { out.append(contentsOf: bytes(of: id, includeSpecial: includeSpecial)) }
        if stripsLeadingSpace, out.first == 0x20 { out.removeFirst() }
        return String(decoding: out, as: UTF8.self)
    }

    /// The vocabulary spelling of a token (e.g. `Ġthe`, `▁the`, `<|eot_id|>`).
    public func spelling(of id: TokenID) -> String? {
        guard id >= 0, Int(id) < vocabulary.tokens.count else { return nil }
        return vocabulary.tokens[Int(id)]
    }
}
