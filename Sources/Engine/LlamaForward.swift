import COpenBLAS
import Foundation
import Kernels

// The forward pass: n tokens at positions [p0, p0+n) through every layer.
// Buffers live in the context's `Workspace` (shapes there); all are row-major, one row
// per token. Nothing is allocated once the workspace has room for n rows.
extension LlamaContext {
    /// Runs `batch` through the model at positions starting at `p0`, writing keys and
    /// values into the cache. Returns the logits of rows [logitsFrom, n) as a pointer
    /// into the workspace ((n - logitsFrom, vocab), valid until the next call), or nil.
    /// `decodeArithmetic`: every row is computed exactly as a one-token call computes it
    /// (the decode kernels for projections and attention, whatever n is), so row i's
    /// logits are bitwise those of decoding the batch one token at a time: the
    /// verification pass of speculative decoding.
    func forward(_ batch: UnsafeBufferPointer<Int32>, position p0: Int,
                 logitsFrom: Int?, decodeArithmetic: Bool = false) -> UnsafeMutablePointer<Float>? {
        let c = model.config
        let n = batch.count
        let hidden = c.hidden
        ws.reserve(rows: n)
        ws.inputChanged()
        let path = matmulPath
        let tier = kernelTier
        let x = ws.x, xb = ws.xb, q = ws.q, k = ws.k, v = ws.v
        let att = ws.att, gate = ws.gate, up = ws.up, proj = ws.proj
        func project(_ w: WeightMatrix, _ input: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
            MatMul.apply(w, x: input, n: n, out: out, path: path, tier: tier, ws: ws, decodeArithmetic: decodeArithmetic)
        }

        for (i, t) in batch.enumerated() {
            model.tokenEmbedding.dequantizeRow(Int(t), into: x + i * hidden)
        }
        fillRopeTable(rows: n, position: p0)

        for (l, layer) in model.layers.enumerated() {
            // Attention.
            rmsNorm(x, weight: layer.attnNorm, rows: n, into: xb)
            ws.inputChanged()
            project(layer.wq, xb, q)
            project(layer.wk, xb, k)
            project(layer.wv, xb, v)
            // Rotated, the new keys and values join the cache at rows [p0, p0+n).
            RowParallel.run(rows: n) { rows in
                let (q, k, v) = (self.ws.q, self.ws.k, self.ws.v)
                self.rope(q, rows: rows, heads: c.headCount)
                self.rope(k, rows: rows, heads: c.kvHeadCount)
                self.cache.store(layer: l, at: p0 + rows.lowerBound, rows: rows.count,
                                 keys: k + rows.lowerBound * c.keyWidth, values: v + rows.lowerBound * c.valueWidth)
            }
            attention(layer: l, q: q, n: n, p0: p0, out: att, decodeArithmetic: decodeArithmetic)
            ws.inputChanged()
            project(layer.wo, att, proj)
            addResidual(proj, rows: n)

            // SwiGLU feed-forward: down(silu(gate(xb)) * up(xb)).
            rmsNorm(x, weight: layer.ffnNorm, rows: n, into: xb)
            ws.inputChanged()
            project(layer.wGate, xb, gate)
            project(layer.wUp, xb, up)
            if decodeArithmetic {   // row by row: a SIMD tail lands where a one-row call's does
                for r in 0..<n { pk_swiglu_tier(tier, gate + r * c.ffnWidth, up + r * c.ffnWidth, c.ffnWidth) }
            } else {
                // Elementwise (a masked tail computes what the body does): any split of
                // the rows gives the bits of one call.
                RowParallel.run(rows: n) { rows in
                    let from = rows.lowerBound * c.ffnWidth
                    pk_swiglu_tier(tier, self.ws.gate + from, self.ws.up + from, rows.count * c.ffnWidth)
                }
            }
            ws.inputChanged()
            project(layer.wDown, gate, proj)
            addResidual(proj, rows: n)
        }

        guard let from = logitsFrom else { return nil }
        let m = n - from
        // (m, hidden) normed tail rows, in xb (free now).
        rmsNorm(x + from * hidden, weight: model.outputNorm, rows: m, into: xb)
        ws.inputChanged()
        let logits = ws.logits(count: m * c.vocabSize)       // (m, vocab)
        MatMul.apply(model.output, x: xb, n: m, out: logits, path: path, tier: tier, ws: ws,
                     decodeArithmetic: decodeArithmetic)
        return logits
    }

    /// out[r] = x[r] / sqrt(mean(x[r]^2) + eps) * weight, per row of `hidden`.
    private func rmsNorm(_ x: UnsafePointer<Float>, weight: [Float], rows: Int,
                         into out: UnsafeMutablePointer<Float>) {
        let h = weight.count
        let eps = model.config.normEps
        let xa = UInt(bitPattern: x), oa = UInt(bitPattern: out)
        RowParallel.run(rows: rows) { rows in
            let x = UnsafePointer<Float>(bitPattern: xa)!, out = UnsafeMutablePointer<Float>(bitPattern: oa)!
            weight.withUnsafeBufferPointer { w in
                for r in rows { pk_rmsnorm(x + r * h, w.baseAddress, out + r * h, h, eps) }
            }
        }
    }

    /// The residual stream ws.x (rows, hidden) += proj (rows, hidden).
    private func addResidual(_ proj: UnsafePointer<Float>, rows: Int) {
        let h = model.config.hidden
        let pa = UInt(bitPattern: proj)
        RowParallel.run(rows: rows) { rows in
            let x = self.ws.x, proj = UnsafePointer<Float>(bitPattern: pa)!
            for i in (rows.lowerBound * h)..<(rows.upperBound * h) { x[i] += proj[i] }
        }
    }

    /// cos and sin of every rotated pair at positions p0 ..< p0+rows, once per call
    /// (shared by every layer): ropeTable (rows, pairs, [cos, sin]).
    private func fillRopeTable(rows: Int, position p0: Int) {
        let pairs = ropeInvFreq.count
        let cs = ws.ropeTable
        for r in 0..<rows {
            let pos = Double(p0 + r)
            for i in 0..<pairs {
                let theta = pos * ropeInvFreq[i]
                cs[(r * pairs + i) * 2] = Float(Foundation.cos(theta))
                cs[(r * pairs + i) * 2 + 1] = Float(Foundation.sin(theta))
            }
        }
    }

    /// Rotates pairs (2i, 2i+1) of the first ropeDim dims of every head of the given rows,
    /// row r at the table's position r. v: (n, heads, headDimK).
    private func rope(_ v: UnsafeMutablePointer<Float>, rows: Range<Int>, heads: Int) {
        let hd = model.config.headDimK
        let pairs = ropeInvFreq.count
        let table = ws.ropeTable
        for r in rows {
            let cs = table + r * pairs * 2
            for h in 0..<heads {
                let p = v + (r * heads + h) * hd
                for i in 0..<pairs {
                    let a = p[2 * i], b = p[2 * i + 1]
                    let co = cs[2 * i], si = cs[2 * i + 1]
                    p[2 * i] = a * co - b * si
                    p[2 * i + 1] = a * si + b * co
                }
            }
        }
    }

    /// Causal grouped-query attention of n new queries over the layer's cached positions
    /// [0, p0+n). q: (n, heads, headDimK); out: (n, heads, headDimV); the cache rows hold
    /// (kvHeads, headDim) each.
    ///
    /// Short calls (decode) and `decodeArithmetic` calls walk the cache rows directly with
    /// the Kernels' attention kernel, each (query, head) as a one-token call computes it,
    /// all of them in one pool run. Longer calls (prefill) take the
    /// rows as floats and run two BLAS products per head, the heads split over the workers.
    private func attention(layer l: Int, q: UnsafePointer<Float>, n: Int, p0: Int,
                           out: UnsafeMutablePointer<Float>, decodeArithmetic: Bool) {
        let c = model.config
        let hdk = c.headDimK, hdv = c.headDimV
        let total = p0 + n
        let group = c.headCount / c.kvHeadCount
        let scale = 1 / Float(hdk).squareRoot()
        let tier = kernelTier
        if n <= MatMul.int8BatchLimit || decodeArithmetic {
            // The heads split over the kernel pool: at long context a decode step reads
            // as many cache bytes as weight bytes, and one thread alone would halve it.
            let pool = MatMul.pool.pointer
            let scores = ws.decodeScores(positions: total)
            let t = cache.type.kernelType, width = cache.type.byteWidth
            let keyStride = c.keyWidth * width, valueStride = c.valueWidth * width
            // Causal: query i sees positions [0, p0+i], p0 + 1 + i of them.
            _ = pk_attend_queries_tier(tier, pool, t, q, n, c.headCount, group,
                                       cache.keyRow(layer: l, position: 0), keyStride,
                                       cache.valueRow(layer: l, position: 0), valueStride,
                                       p0 + 1, hdk, hdv, scale, scores, out)
            return
        }
        let keys = cache.keysAsFloat(layer: l, count: total, scratch: ws.cacheKeys(count: total * c.keyWidth))
        let values = cache.valuesAsFloat(layer: l, count: total, scratch: ws.cacheValues(count: total * c.valueWidth))
        // (head, block of query rows) items split over the workers (single-threaded BLAS
        // each, as in MatMul.apply), each part with its own (causalBlock, total) block of
        // scores. Items are dealt costliest first to the least loaded part (a block's two
        // products cost rows x keys seen): whole heads per part left one part a head more
        // when the heads do not divide evenly (9 heads on 2 workers: 5 against 4). Each
        // item runs the same products whichever part takes it.
        _ = MatMul.singleThreadedBLAS
        let causalBlock = 64
        let blocks = (n + causalBlock - 1) / causalBlock
        let parts = max(1, min(MatMul.workers, c.headCount * blocks))
        var deal = [[(head: Int, block: Int)]](repeating: [], count: parts)
        var load = [Int](repeating: 0, count: parts)
        for b in (0..<blocks).reversed() {
            let i1 = min(n, (b + 1) * causalBlock), cost = (i1 - b * causalBlock) * (p0 + i1)
            for h in 0..<c.headCount {
                let p = load.indices.min { load[$0] < load[$1] }!
                deal[p].append((h, b))
                load[p] += cost
            }
        }
        let items = deal
        let scoresBase = ws.scores(count: parts * min(n, causalBlock) * total)
        let qb = UInt(bitPattern: q), kb = UInt(bitPattern: keys), vb = UInt(bitPattern: values)
        let sb = UInt(bitPattern: scoresBase), ob = UInt(bitPattern: out)
        let (headCount, queryWidth, keyWidth, valueWidth) = (c.headCount, c.queryWidth, c.keyWidth, c.valueWidth)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let q = UnsafePointer<Float>(bitPattern: qb)!, keys = UnsafePointer<Float>(bitPattern: kb)!
            let values = UnsafePointer<Float>(bitPattern: vb)!, out = UnsafeMutablePointer<Float>(bitPattern: ob)!
            let scores = UnsafeMutablePointer<Float>(bitPattern: sb)! + part * min(n, causalBlock) * total
            for (h, b) in items[part] {
                let kvh = h / group
                // Query rows in blocks: block [i0, i1) sees keys [0, p0 + i1) at most
                // (causal), so the products skip the masked upper triangle.
                let i0 = b * causalBlock
                let i1 = min(n, i0 + causalBlock), seen = p0 + i1, m = i1 - i0
                // scores (m, seen) = scale * Q_h[i0..<i1] K_kvh[0..<seen]^T
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(seen), Int32(hdk),
                            scale, q + i0 * queryWidth + h * hdk, Int32(queryWidth), keys + kvh * hdk, Int32(keyWidth),
                            0, scores, Int32(seen))
                for i in i0..<i1 {
                    let row = scores + (i - i0) * seen
                    let visible = p0 + i + 1    // causal: query i sees positions [0, p0+i]
                    pk_softmax_tier(tier, row, visible)
                    for j in visible..<seen { row[j] = 0 }
                }
                // out_h[i0..<i1] = P V_kvh[0..<seen]
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(hdv), Int32(seen),
                            1, scores, Int32(seen), values + kvh * hdv, Int32(valueWidth),
                            0, out + i0 * headCount * hdv + h * hdv, Int32(headCount * hdv))
            }
        }
    }
}
