import COpenBLAS
import Foundation

// The forward pass: n tokens at positions [p0, p0+n) through every layer.
// Buffers carry their shapes in comments; all are row-major, one row per token.
extension LlamaContext {
    /// Runs `batch` through the model at positions starting at `p0`, writing keys and
    /// values into the cache, and returns logits for rows [logitsFrom, n) (or none).
    func forward(_ batch: [Int32], position p0: Int, logitsFrom: Int?) -> [Float] {
        let c = model.config
        let n = batch.count
        let hidden = c.hidden, qw = c.queryWidth, kw = c.keyWidth, vw = c.valueWidth
        let attW = c.headCount * c.headDimV

        var x = [Float](repeating: 0, count: n * hidden)       // (n, hidden) residual stream
        var xb = [Float](repeating: 0, count: n * hidden)      // (n, hidden) normed input
        var q = [Float](repeating: 0, count: n * qw)           // (n, heads * headDimK)
        var att = [Float](repeating: 0, count: n * attW)       // (n, heads * headDimV)
        var gate = [Float](repeating: 0, count: n * c.ffnWidth) // (n, ffn)
        var up = [Float](repeating: 0, count: n * c.ffnWidth)   // (n, ffn)
        var proj = [Float](repeating: 0, count: n * hidden)    // (n, hidden) block output

        x.withUnsafeMutableBufferPointer { xp in
            for (i, t) in batch.enumerated() {
                model.tokenEmbedding.dequantizeRow(Int(t), into: xp.baseAddress! + i * hidden)
            }
        }

        for (l, layer) in model.layers.enumerated() {
            let kCache = cache.keys(layer: l)      // (capacity, keyWidth)
            let vCache = cache.values(layer: l)    // (capacity, valueWidth)
            // Attention.
            rmsNorm(x, weight: layer.attnNorm, rows: n, into: &xb)
            xb.withUnsafeBufferPointer { xbp in
                q.withUnsafeMutableBufferPointer { qp in
                    MatMul.apply(layer.wq, x: xbp.baseAddress!, n: n, out: qp.baseAddress!)
                }
                // Keys and values go straight into the cache rows [p0, p0+n).
                MatMul.apply(layer.wk, x: xbp.baseAddress!, n: n, out: kCache + p0 * kw)
                MatMul.apply(layer.wv, x: xbp.baseAddress!, n: n, out: vCache + p0 * vw)
            }
            q.withUnsafeMutableBufferPointer { qp in
                rope(qp.baseAddress!, rows: n, heads: c.headCount, position: p0)
            }
            rope(kCache + p0 * kw, rows: n, heads: c.kvHeadCount, position: p0)
            q.withUnsafeBufferPointer { qp in
                att.withUnsafeMutableBufferPointer { ap in
                    attention(q: qp.baseAddress!, keys: kCache, values: vCache, n: n, p0: p0,
                              out: ap.baseAddress!)
                }
            }
            att.withUnsafeBufferPointer { ap in
                proj.withUnsafeMutableBufferPointer { pp in
                    MatMul.apply(layer.wo, x: ap.baseAddress!, n: n, out: pp.baseAddress!)
                }
            }
            for i in 0..<x.count { x[i] += proj[i] }

            // SwiGLU feed-forward: down(silu(gate(xb)) * up(xb)).
            rmsNorm(x, weight: layer.ffnNorm, rows: n, into: &xb)
            xb.withUnsafeBufferPointer { xbp in
                gate.withUnsafeMutableBufferPointer { gp in
                    MatMul.apply(layer.wGate, x: xbp.baseAddress!, n: n, out: gp.baseAddress!)
                }
                up.withUnsafeMutableBufferPointer { up in
                    MatMul.apply(layer.wUp, x: xbp.baseAddress!, n: n, out: up.baseAddress!)
                }
            }
            for i in 0..<gate.count {
                let g = gate[i]
                gate[i] = g / (1 + Foundation.exp(-g)) * up[i]
            }
            gate.withUnsafeBufferPointer { gp in
                proj.withUnsafeMutableBufferPointer { pp in
                    MatMul.apply(layer.wDown, x: gp.baseAddress!, n: n, out: pp.baseAddress!)
                }
            }
            for i in 0..<x.count { x[i] += proj[i] }
        }

        guard let from = logitsFrom else { return [] }
        let m = n - from
        let tail = Array(x[(from * hidden)...])               // (m, hidden)
        var normed = [Float](repeating: 0, count: m * hidden)  // (m, hidden)
        rmsNorm(tail, weight: model.outputNorm, rows: m, into: &normed)
        var logits = [Float](repeating: 0, count: m * c.vocabSize) // (m, vocab)
        normed.withUnsafeBufferPointer { np in
            logits.withUnsafeMutableBufferPointer { lp in
                MatMul.apply(model.output, x: np.baseAddress!, n: m, out: lp.baseAddress!)
            }
        }
        return logits
    }

    /// out[r] = x[r] / sqrt(mean(x[r]^2) + eps) * weight, per row of `hidden`.
    private func rmsNorm(_ x: [Float], weight: [Float], rows: Int, into out: inout [Float]) {
        let h = weight.count
        let eps = Double(model.config.normEps)
        for r in 0..<rows {
            var ss = 0.0
            for i in 0..<h { let v = Double(x[r * h + i]); ss += v * v }
            let scale = Float(1 / (ss / Double(h) + eps).squareRoot())
            for i in 0..<h { out[r * h + i] = x[r * h + i] * scale * weight[i] }
        }
    }

    /// Rotates pairs (2i, 2i+1) of the first ropeDim dims of every head of every row,
    /// row r at position p0 + r. v: (rows, heads, headDimK).
    private func rope(_ v: UnsafeMutablePointer<Float>, rows: Int, heads: Int, position p0: Int) {
        let hd = model.config.headDimK
        let pairs = ropeInvFreq.count
        var cs = [Float](repeating: 0, count: 2 * pairs)  // (pairs, [cos, sin])
        for r in 0..<rows {
            let pos = Double(p0 + r)
            for i in 0..<pairs {
                let theta = pos * ropeInvFreq[i]
                cs[2 * i] = Float(Foundation.cos(theta))
                cs[2 * i + 1] = Float(Foundation.sin(theta))
            }
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

    /// Causal grouped-query attention of n new queries over cache positions [0, p0+n).
    /// q: (n, heads, headDimK); keys: (capacity, kvHeads, headDimK);
    /// values: (capacity, kvHeads, headDimV); out: (n, heads, headDimV).
    private func attention(q: UnsafePointer<Float>, keys: UnsafePointer<Float>,
                           values: UnsafePointer<Float>, n: Int, p0: Int,
                           out: UnsafeMutablePointer<Float>) {
        let c = model.config
        let hdk = c.headDimK, hdv = c.headDimV
        let total = p0 + n
        let group = c.headCount / c.kvHeadCount
        let scale = 1 / Float(hdk).squareRoot()
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: n * total)  // (n, total)
        defer { scores.deallocate() }
        for h in 0..<c.headCount {
            let kvh = h / group
            // scores = scale * Q_h K_kvh^T
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(total), Int32(hdk),
                        scale, q + h * hdk, Int32(c.queryWidth), keys + kvh * hdk, Int32(c.keyWidth),
                        0, scores, Int32(total))
            for i in 0..<n {
                let row = scores + i * total
                let visible = p0 + i + 1    // causal: query i sees positions [0, p0+i]
                var mx = -Float.infinity
                for j in 0..<visible where row[j] > mx { mx = row[j] }
                var sum: Float = 0
                for j in 0..<visible { let e = Foundation.exp(row[j] - mx); row[j] = e; sum += e }
                let inv = 1 / sum
                for j in 0..<visible { row[j] *= inv }
                for j in visible..<total { row[j] = 0 }
            }
            // out_h = P V_kvh
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(hdv), Int32(total),
                        1, scores, Int32(total), values + kvh * hdv, Int32(c.valueWidth),
                        0, out + h * hdv, Int32(c.headCount * hdv))
        }
    }
}
