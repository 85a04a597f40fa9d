/// The key/value metadata of a GGUF file, in file order, keys unique.
public struct GGUFMetadata: Sendable {
    /// Keys in the order the file stores them.
    public private(set) var keys: [String] = []
    private var values: [String: GGUFValue] = [:]

    public init() {}

    /// Adds a key; returns false when the key is already there (the caller reports it).
    mutating func insert(_ key: String, _ value: GGUFValue) -> Bool {
        guard values[key] == nil else { return false }
        keys.append(key)
        values[key] = value
        return true
    }

    public subscript(key: String) -> GGUFValue? { values[key] }
    public var count: Int { keys.count }

    public func string(_ key: String) -> String? { values[key]?.stringValue }
    public func int(_ key: String) -> Int? { values[key]?.intValue }
    public func float(_ key: String) -> Float? { values[key]?.floatValue }
    public func bool(_ key: String) -> Bool? { values[key]?.boolValue }

    /// The array at `key` decoded to Strings (nil when absent or not an array of strings).
    public func stringArray(_ key: String) -> [String]? { values[key]?.arrayValue?.asStrings }

    /// The array at `key` as Ints (nil when absent or not an array of integers that fit).
    public func intArray(_ key: String) -> [Int]? { values[key]?.arrayValue?.asInts }

    /// The array at `key` as Floats (nil when absent or not an array of float32/float64).
    public func floatArray(_ key: String) -> [Float]? { values[key]?.arrayValue?.asFloats }

    /// The model's architecture name (`general.architecture`), e.g. "llama".
    public var architecture: String? { string("general.architecture") }

    /// `<architecture>.<suffix>` as an Int, e.g. `arch("context_length")`.
    public func archInt(_ suffix: String) -> Int? {
        architecture.flatMap { int("\($0).\(suffix)") }
    }

    public func archFloat(_ suffix: String) -> Float? {
        architecture.flatMap { float("\($0).\(suffix)") }
    }
}
