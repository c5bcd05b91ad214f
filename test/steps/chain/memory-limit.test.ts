// The chain step under --memory-limit 600M: the engine gets 300 MiB, and an insert of COMMIT_ROWS
// fills with the per-wallet materialized view behind it needs more than that (MEMORY_LIMIT_EXCEEDED,
// "while pushing to view chain_fills_by_wallet_mv"). Under a limit the step's batches shrink to a
// sixteenth of it (load/engine-memory.ts rowBufferBudget), so the whole chain loads.
import { describe, expect, it } from 'vitest'
import { rowBufferBudget } from '../../../load/engine-memory.ts'
import { MAX_FREE_ROW_BYTES } from '../../../load/row-buffers.ts'
import { COMMIT_ROWS } from '../../../steps/block-ranges/commit.ts'
import { createChainStep } from '../../../steps/chain/index.ts'
import { openStepHarness } from './harness.ts'
import { chainOptions, loadedLines, simulator, truthLines } from './sim-helpers.ts'

const LIMIT = 600 * 2 ** 20

describe('the chain step under --memory-limit 600M', () => {
  it('inserts smaller batches and loads every fill', async () => {
    const budget = rowBufferBudget(LIMIT, { commitRows: COMMIT_ROWS, maxFreeBytes: MAX_FREE_ROW_BYTES })
    expect(budget.commitRows).toBeLessThan(COMMIT_ROWS / 2)
    // Five fills a block, as on Polygon today; no provider caps, so ranges stay large and a batch
    // of COMMIT_ROWS fills up well within the committer's interval. Enough of them that merges run
    // beside the inserts: with batches of COMMIT_ROWS the seventh insert was refused.
    const sim = await simulator({
      seed: 'memory-limit',
      markets: 2_000,
      wallets: 20_000,
      fills: 1_000_000,
      blocks: 200_000,
      rpcLimits: 'none',
      rateLimits: false,
    })
    const h = await openStepHarness(undefined, { memoryLimitBytes: LIMIT })
    try {
      const step = createChainStep(chainOptions(sim, { rpcRate: { count: 10_000, windowMs: 1_000 } }))
      const outcome = await step.run(h.context())
      expect(outcome.failures).toEqual([])
      expect(outcome.complete).toBe(true)
      expect(outcome.rows).toBe(1_000_000)
      // Read back a fiftieth of the chain at a time: one answer of every line would itself pass the
      // engine's 300 MiB.
      const truth = truthLines(sim)
      const { startBlock, tip } = sim.world.chain
      const span = Math.ceil((tip - startBlock + 1) / 50)
      let compared = 0
      for (let from = startBlock; from <= tip; from += span) {
        const loaded = await loadedLines(h, 'FINAL', [from, Math.min(tip, from + span - 1)])
        expect(loaded).toEqual(truth.slice(compared, compared + loaded.length))
        compared += loaded.length
      }
      expect(compared).toBe(truth.length)
    } finally {
      await h.close()
    }
  }, 300_000)
})
