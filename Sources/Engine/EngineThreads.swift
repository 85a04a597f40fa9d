/// The number of worker threads the engine's kernels use (fixed for the process:
/// `PONDER_THREADS`, else the machine's physical cores, at most 8).
public var engineThreadCount: Int { MatMul.workers }
