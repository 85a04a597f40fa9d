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

    public func stringArray(_ key: String) -> [String]? {
        guard case .array(.string, let a)? = values[key] else { return nil }
        return a.map { $0.stringValue ?? "" }
    }

    public func intArray(_ key: String) -> [Int]? {
        guard case .array(_, let a)? = values[key] else { return nil }
        var out = [Int]()
        out.reserveCapacity(a.count)
        for v in a {
            guard let i = v.intValue else { return nil }
            out.append(i)
        }
        return out
    }

    public func floatArray(_ key: String) -> [Float]? {
        guard case .array(_, let a)? = values[key] else { return nil }
        var out = [Float]()
        out.reserveCapacity(a.count)
        for v in a {
            guard let f = v.floatValue else { return nil }
            out.append(f)
        }
        return out
    }

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
