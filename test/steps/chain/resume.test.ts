// Interrupted and resumed: the chain step stopped after its first commit (as SIGTERM stops it),
// then run again, ends with exactly the simulator's fills and blocks — and the second run fetched
// only what the first had not recorded.
import { describe, expect, it } from 'vitest'
import { createChainStep, fillsCoverage } from '../../../steps/chain/index.ts'
import { chainOptions, harness, loadedLines, simulator, truthLines, WORLD } from './sim-helpers.ts'

/** Small ranges and commits of ~2,000 fills: the run is stopped after its first of many commits. */
const SMALL_RANGES = { adaptive: { initial: 500, max: 4_000 }, commitRows: 2_000 }

describe('resuming the chain step', () => {
  it('continues from the recorded ranges to the same content as an uninterrupted run', async () => {
    const sim = await simulator({ seed: 'resume', faults: '429=0.03,5xx=0.03' })
    const h = await harness()
    const controller = new AbortController()
    const context = h.context(controller.signal)
    const reporter = context.reporter
    context.reporter = {
      ...reporter,
      update: (progress) => {
        reporter.update(progress)
        if ((progress.rows ?? 0) > 0) controller.abort(new Error('stop'))
      },
    }
    const first = await createChainStep(chainOptions(sim), SMALL_RANGES).run(context)
    expect(first.complete).toBe(false)
    expect(first.rows).toBeGreaterThan(0)
    const partial = await fillsCoverage(h.checkpoints, {
      from: sim.world.chain.startBlock,
      to: sim.world.chain.tip,
    })
    expect(partial.gaps.length).toBeGreaterThan(0)
    expect(partial.covered).toBeGreaterThan(0)

    const second = await createChainStep(chainOptions(sim), SMALL_RANGES).run(h.context())
    expect(second).toMatchObject({ failures: [], complete: true })
    expect(first.rows + second.rows).toBe(WORLD.fills)
    expect(await loadedLines(h, '')).toEqual(truthLines(sim))
    const blocks = await h.warehouse.query<{ line: string }>(
      `SELECT concat_ws('|', toString(block_number), block_hash, parent_hash, toString(toUnixTimestamp(block_time))) AS line
       FROM chain_blocks FINAL ORDER BY block_number`,
    )
    const withFills = [
      ...new Set(
        [...sim.truth.fills(sim.world.chain.startBlock, sim.world.chain.tip)].map((f) => f.blockNumber),
      ),
    ]
    expect(blocks.map((b) => b.line)).toEqual(
      withFills.map((n) => `${n}|${sim.world.chain.blockHash(n)}||${sim.world.chain.timestamp(n)}`),
    )
  }, 240_000)
})
