import Foundation

/// The self-contained session file: a versioned JSON document.
///
/// ```json
/// {"magic":"ponder-session","version":1,"created":…,"model":{…},"chatFormat":"llama3",
///  "settings":{…},"turns":[TurnRecord…],"notices":[…]}
/// ```
public struct SessionDocument: Codable, Sendable, Equatable {
    public static let magicValue = "ponder-session"
    public static let currentVersion = 1

    public var magic: String = SessionDocument.magicValue
    public var version: Int = SessionDocument.currentVersion
    /// Creation time, seconds since 1970.
    public var created: Double
    public var model: ModelIdentity?
    /// The chat format of the prompts (`ChatFormat.Kind`: llama3, chatml, deepseek, plain).
    public var chatFormat: String
    public var settings: SessionSettings
    public var turns: [TurnRecord]
    /// Notices shown during the session (e.g. dropped turns).
    public var notices: [String]

    public init(created: Double, model: ModelIdentity?, chatFormat: String, settings: SessionSettings,
                turns: [TurnRecord], notices: [String] = []) {
        self.created = created; self.model = model; self.chatFormat = chatFormat
        self.settings = settings; self.turns = turns; self.notices = notices
    }

    /// Gives every turn the prompt settings it did not record (files written before they
    /// were recorded per turn): the document's settings and model applied to every turn
    /// then, so they are what those turns were generated with.
    mutating func fillUnrecordedTurnSettings() {
        for i in turns.indices { turns[i].fillUnrecorded(from: settings, model: model) }
    }

    /// Pretty-printed JSON with sorted keys (stable diffs).
    public func encoded() throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try e.encode(self)) + [0x0A]
    }

    /// Writes the document atomically (see `AtomicFile`).
    public func save(to url: URL, overwrite: Bool) throws {
        try FileIO.makeDirectories(url.deletingLastPathComponent().path)
        try AtomicFile.write(try encoded(), to: url, overwrite: overwrite)
    }
}
