import Foundation
import Synchronization
import Testing
import Engine
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

extension RepackTests {
    /// The chat's repack (`.later`, then `repack(idle: true)` on a thread of its own) runs
    /// while turns run: a turn's greedy tokens must be the same with the copies made at
    /// load, never made, made a matrix at a time between decode steps (layouts mixed
    /// within a step), and made by an idle-priority thread racing the steps.
    @Test func greedyTokensDoNotDependOnWhenTheCopiesAreMade() throws {
        let url = try TestEnv.syntheticKQuant
        let prompt: [Int32] = (0..<24).map { Int32($0 * 13 % 512) }
        func greedy(_ model: LlamaModel, beforeStep: () -> Void = {}) throws -> [Int32] {
            let ctx = try LlamaContext(model: model, capacity: 96)
            let vocab = model.config.vocabSize
            var logits = try ctx.evaluate(prompt)
            var out: [Int32] = []
            for _ in 0..<40 {
                let t = Int32(argmax(logits, row: 0, width: vocab))
                out.append(t)
                beforeStep()
                logits = try ctx.evaluate([t])
            }
            return out
        }
        let off = try greedy(LlamaModel(path: url.path, repack: .off))
        let now = try LlamaModel(path: url.path, repack: .now)
        let slots = now.repackableMatrices
        #expect(now.repackedMatrices == slots)
        #expect(try greedy(now) == off, "copies made at load")

        let stepwise = try LlamaModel(path: url.path, repack: .later)
        var seen = Set<Int>()
        let stepped = try greedy(stepwise) {
            seen.insert(stepwise.repackedMatrices)
            let before = stepwise.repackedMatrices
            stepwise.repack { _, _ in stepwise.repackedMatrices == before }   // stops after one more matrix
        }
        #expect(stepped == off, "copies made one matrix per step")
        if slots > 1 { #expect(seen.contains { $0 > 0 && $0 < slots }, "some steps ran on mixed layouts") }

        let racing = try LlamaModel(path: url.path, repack: .later)
        let done = DispatchSemaphore(value: 0)
        let policyAfter = Mutex<Int32>(-1)
        Thread.detachNewThread {
            racing.repack(idle: true)
            policyAfter.withLock { $0 = sched_getscheduler(0) }
            done.signal()
        }
        let raced = try greedy(racing)
        done.wait()
        #expect(raced == off, "copies made by an idle thread during the turn")
        #expect(racing.repackedMatrices == slots)
        #expect(policyAfter.withLock { $0 } == SCHED_OTHER, "the packing thread's policy is put back")
    }
}
