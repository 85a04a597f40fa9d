import ArgumentParser
import Chat
import GGUF

/// `ponder inspect FILE [--json]`: the file's summary, all metadata and the tensor table.
/// Text output abbreviates long arrays; JSON output is complete. A bad file is one line
/// on stderr (`Error: file: field at byte N: problem`) and exit status 1.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a GGUF file's metadata and tensors.",
        discussion: """
            Prints the architecture, parameter count, bits per weight, precision (the \
            weight matrices' main type, "mix" when they have several), context length, \
            tokenizer, chat template family, every metadata key (long arrays shortened \
            to their first 8 entries), the bytes per type and the tensor table (name, \
            type, bits per weight, shape, bytes).
            """)

    @Argument(help: "The GGUF file.")
    var file: String

    @Flag(help: "Print everything as one JSON object (arrays in full).")
    var json = false

    func run() async throws {
        let g: GGUFFile
        do {
            g = try GGUFFile(path: file)
        } catch {
            throw CLIError(error.description)
        }
        let s = GGUFSummary(g)
        print(json ? Self.json(g, s) : Self.text(g, s), terminator: "")
    }

    // MARK: - Text

    static func text(_ g: GGUFFile, _ s: GGUFSummary) -> String {
        var o = ""
        func row(_ label: String, _ value: String) {
            o += pad(label, 16) + value + "\n"
        }
        row("file", "\(g.path) (\(g.fileSize) bytes, GGUF v\(g.version))")
        row("architecture", s.architecture ?? "-")
        row("parameters", "\(s.parameterCount) (\(humanCount(s.parameterCount)))")
        row("bits/weight", String(format1000: s.bitsPerWeight))
        row("precision", s.precision)
        row("context length", s.contextLength.map(String.init) ?? "-")
        var tok = s.tokenizerModel ?? "-"
        if let pre = s.tokenizerPre { tok += " (pre-tokenizer \(pre))" }
        if let n = s.vocabularySize { tok += ", \(n) tokens" }
        row("tokenizer", tok)
        row("chat template", s.chatTemplate.rawValue)
        for w in g.warnings { row("warning", w) }

        o += "\nmetadata (\(g.metadata.count) keys)\n"
        for key in g.metadata.keys {
            let v = g.metadata[key]!
            o += "  \(GGUFValue.quoted(key, limit: 120, json: false).dropFirst().dropLast()) "
            o += "(\(v.typeDescription)) = \(v.text())\n"
        }

        o += "\ntypes (tensors, bytes, share of the tensor bytes)\n"
        for u in typeUse(g) {
            let share = s.tensorBytes == 0 ? 0 : Double(u.bytes) * 100 / Double(s.tensorBytes)
            o += "  " + pad(u.type.name, 8) + " " + pad("\(u.tensors)", 5) + " " + pad("\(u.bytes)", 12)
            o += " " + String(format1000: share).dropLast(2) + "%\n"
        }

        o += "\ntensors (\(g.tensors.count), data at byte \(g.dataOffset), alignment \(g.alignment))\n"
        let nameWidth = min(48, g.tensors.map { $0.name.count }.max() ?? 4)
        o += "  " + pad("name", nameWidth) + "  type     bpw      shape                       bytes\n"
        for t in g.tensors {
            let shape = "[" + t.shape.map(String.init).joined(separator: ", ") + "]"
            let name = String(GGUFValue.quoted(t.name, limit: 120, json: false).dropFirst().dropLast())
            o += "  " + pad(name, nameWidth) + "  " + pad(t.type.name, 7) + "  " + pad(String(format1000: t.bitsPerWeight), 7)
            o += "  " + pad(shape, 26) + "  \(t.byteCount)\n"
        }
        return o
    }

    /// Each type's tensor count and bytes, most bytes first.
    static func typeUse(_ g: GGUFFile) -> [(type: GGMLType, tensors: Int, bytes: Int)] {
        var use: [GGMLType: (tensors: Int, bytes: Int)] = [:]
        for t in g.tensors { use[t.type, default: (0, 0)].tensors += 1; use[t.type]!.bytes += t.byteCount }
        return use.map { (type: $0.key, tensors: $0.value.tensors, bytes: $0.value.bytes) }
            .sorted { ($0.bytes, $1.type.rawValue) > ($1.bytes, $0.type.rawValue) }
    }

    /// `s` padded with spaces to at least `width` characters.
    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    static func humanCount(_ n: Int) -> String {
        if n >= 1_000_000_000 { return String(format1000: Double(n) / 1e9) + " B" }
        if n >= 1_000_000 { return String(format1000: Double(n) / 1e6) + " M" }
        if n >= 1_000 { return String(format1000: Double(n) / 1e3) + " K" }
        return "\(n)"
    }

    // MARK: - JSON

    static func json(_ g: GGUFFile, _ s: GGUFSummary) -> String {
        func str(_ x: String?) -> String { x.map { GGUFValue.quoted($0, limit: .max, json: true) } ?? "null" }
        var o = "{"
        o += "\"file\":\(str(g.path)),\"version\":\(g.version),\"file_size\":\(g.fileSize),"
        o += "\"alignment\":\(g.alignment),\"data_offset\":\(g.dataOffset),"
        o += "\"summary\":{\"architecture\":\(str(s.architecture)),\"parameters\":\(s.parameterCount),"
        o += "\"tensor_bytes\":\(s.tensorBytes),\"bits_per_weight\":\(s.bitsPerWeight),"
        o += "\"main_type\":\(str(s.mainType?.name)),\"mix\":\(s.isMix),\"precision\":\(str(s.precision)),"
        o += "\"context_length\":\(s.contextLength.map(String.init) ?? "null"),"
        o += "\"tokenizer_model\":\(str(s.tokenizerModel)),\"tokenizer_pre\":\(str(s.tokenizerPre)),"
        o += "\"vocabulary_size\":\(s.vocabularySize.map(String.init) ?? "null"),"
        o += "\"chat_template\":\(str(s.chatTemplate.rawValue))},"
        o += "\"warnings\":[" + g.warnings.map { str($0) }.joined(separator: ",") + "],"
        o += "\"metadata\":["
        for (i, key) in g.metadata.keys.enumerated() {
            let v = g.metadata[key]!
            if i > 0 { o += "," }
            o += "{\"key\":\(str(key)),\"type\":\(str(v.typeDescription)),\"value\":"
            v.appendJSON(to: &o)
            o += "}"
        }
        o += "],\"tensors\":["
        for (i, t) in g.tensors.enumerated() {
            if i > 0 { o += "," }
            o += "{\"name\":\(str(t.name)),\"type\":\(str(t.type.name)),"
            o += "\"shape\":[" + t.shape.map(String.init).joined(separator: ",") + "],"
            o += "\"elements\":\(t.elementCount),\"bytes\":\(t.byteCount),\"offset\":\(t.offset),"
            o += "\"bits_per_weight\":\(t.bitsPerWeight)}"
        }
        return o + "]}\n"
    }
}

private extension String {
    /// `x` with three decimals (no Foundation).
    init(format1000 x: Double) {
        let m = (x * 1000).rounded()
        let whole = Int(m / 1000), frac = Int(abs(m).truncatingRemainder(dividingBy: 1000))
        let f = String(frac)
        self = "\(whole)." + String(repeating: "0", count: 3 - f.count) + f
    }
}
