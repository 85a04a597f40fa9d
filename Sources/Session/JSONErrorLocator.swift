import Foundation

/// Names the field behind Foundation's unhelpful "The given data was not valid JSON."
/// which JSONDecoder (on Linux) reports, with no coding path, for a number that does not
/// fit its field (negative or ≥ 2⁶⁴ for a UInt64, fractional for an Int, …).
///
/// Method: parse the text with JSONSerialization; if that fails, the text really is not
/// JSON and its message says why. Otherwise number the numeric leaves in a fixed order
/// (keys sorted) and binary-search the smallest k such that zeroing the first k leaves
/// makes the generic failure go away: leaf k-1 is a culprit. O(log leaves) decodes.
enum JSONErrorLocator {
    /// One line, or nil if the failure cannot be pinned to a number.
    static func locate(_ data: Data, decode: (Data) throws -> Void) -> String {
        let tree: Any
        do { tree = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            let ns = error as NSError
            let why = (ns.userInfo["NSDebugDescription"] as? String) ?? "truncated or corrupt"
            return "not valid JSON (\(why.prefix(120)))"
        }
        var paths: [String] = []
        collect(tree, "", &paths)
        func genericFailure(zeroing k: Int) -> Bool {
            var n = 0
            let t = zero(tree, first: k, counter: &n)
            guard let d = try? JSONSerialization.data(withJSONObject: t, options: [.fragmentsAllowed]) else { return true }
            do { try decode(d) } catch let DecodingError.dataCorrupted(c) where c.codingPath.isEmpty { return true } catch {}
            return false
        }
        guard !paths.isEmpty, !genericFailure(zeroing: paths.count) else {
            return "not valid JSON (truncated or corrupt)"
        }
        var lo = 0, hi = paths.count          // failure at lo, none at hi
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if genericFailure(zeroing: mid) { lo = mid } else { hi = mid }
        }
        return "\(paths[hi - 1]): number out of range for this field (or not a whole number)"
    }

    private static func isNumber(_ v: Any) -> Bool {
        guard let n = v as? NSNumber else { return false }
        return !(v is Bool) && String(cString: n.objCType) != "c"
    }

    private static func collect(_ v: Any, _ path: String, _ out: inout [String]) {
        if let d = v as? [String: Any] {
            for k in d.keys.sorted() { collect(d[k]!, path.isEmpty ? k : path + "." + k, &out) }
        } else if let a = v as? [Any] {
            for (i, x) in a.enumerated() { collect(x, path + "[\(i)]", &out) }
        } else if isNumber(v) {
            out.append(path.isEmpty ? "top level" : path)
        }
    }

    private static func zero(_ v: Any, first k: Int, counter n: inout Int) -> Any {
        if let d = v as? [String: Any] {
            var out: [String: Any] = [:]
            for key in d.keys.sorted() { out[key] = zero(d[key]!, first: k, counter: &n) }
            return out
        } else if let a = v as? [Any] {
            return a.map { zero($0, first: k, counter: &n) }
        } else if isNumber(v) {
            defer { n += 1 }
            return n < k ? NSNumber(value: 0) : v
        }
        return v
    }
}
