#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file memory-mapped read-only. The mapping lives as long as this object.
/// Pages are touched only when read, so opening a large model costs almost no RSS.
/// `init(copying:name:)` holds a private copy of bytes instead (for parsing from memory,
/// e.g. the fuzzer), so the reader has one code path for both.
public final class MappedFile: @unchecked Sendable {
    // @unchecked: the mapping (or copy) is read-only and immutable after init.
    public let path: String
    public let base: UnsafeRawPointer
    /// Bytes at `base`.
    public let size: Int
    /// True when `base` is an allocation of ours (a copy), not an mmap.
    private let owned: Bool

    /// Copies `bytes` into a private buffer; `name` stands in for the path in errors.
    public init(copying bytes: UnsafeRawBufferPointer, name: String) {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        if let src = bytes.baseAddress, bytes.count > 0 { p.copyMemory(from: src, byteCount: bytes.count) }
        path = name
        base = UnsafeRawPointer(p)
        size = bytes.count
        owned = true
    }

    public init(path: String) throws(GGUFError) {
        self.path = path
        let name = String(path.split(separator: "/").last ?? Substring(path))
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw GGUFError(file: name, field: "file", offset: 0,
                            message: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw GGUFError(file: name, field: "file", offset: 0,
                            message: "cannot stat: \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw GGUFError(file: name, field: "file", offset: 0, message: "not a regular file")
        }
        size = Int(st.st_size)
        guard size > 0 else {
            throw GGUFError(file: name, field: "header", offset: 0, message: "file is empty")
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw GGUFError(file: name, field: "file", offset: 0,
                            message: "cannot map: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(p)
        owned = false
    }

    deinit {
        if owned {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        } else {
            munmap(UnsafeMutableRawPointer(mutating: base), size)
        }
    }

    /// Advises the kernel that a byte range will be read sequentially soon.
    public func willNeed(offset: Int, count: Int) {
        if owned { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = offset / page * page
        madvise(UnsafeMutableRawPointer(mutating: base + start), count + (offset - start), MADV_WILLNEED)
    }
}
