// The activity step against the simulator with provider caps, 429s, 5xx, hung and truncated answers,
// HTML pages and a reorg of the last blocks right after the tip was read: chain_activity must hold
// exactly the lifecycle logs of the world's current fork (simulator/world/lifecycle-logs.ts, placed
// as the simulator serves them), none of the abandoned branch, and cover every block.
import { beforeAll, describe, expect, it } from 'vitest'
import type { Simulator } from '../../../simulator/index.ts'
import { type Fill, LOG_SLOTS_PER_FILL } from '../../../simulator/world/fills.ts'
import { marketLogsOf } from '../../../simulator/world/lifecycle-logs.ts'
import { activityCoverage, createActivityStep } from '../../../steps/activity/index.ts'
import { rows, type StepHarness } from '../chain/harness.ts'
import { chainOptions, FAULTS, harness, simulator } from '../chain/sim-helpers.ts'

/** One line per lifecycle log of the world: where it lies and who emitted it. */
function truthLines(sim: Simulator): string[] {
  const chain = sim.world.chain
  const lines: string[] = []
  for (const fill of sim.truth.fills(chain.startBlock, chain.tip) as Generator<Fill>) {
    for (const log of sim.world.lifecycleLogs.logsOf(fill).activity) {
      // The fill's OrderFilled is slot 3 of its block's log window (world/fills.ts).
      lines.push(
        [
          fill.blockNumber,
          fill.logIndex - 3 + log.slot,
          log.transactionHash,
          chain.blockHash(fill.blockNumber),
          chain.timestamp(fill.blockNumber),
          log.address.toLowerCase(),
        ].join('|'),
      )
    }
  }
  // Market-level logs (resolutions, preparations) follow the fills of the block they are served in.
  const { catalog, lifecycle } = sim.world
  for (const served of lifecycle.marketBlocksServedIn(chain.startBlock, chain.tip)) {
    const content = chain.contentBlockOf(served)
    const fillSlots =
      (chain.firstFillOfContentBlock(content + 1) - chain.firstFillOfContentBlock(content)) *
      LOG_SLOTS_PER_FILL
    for (const log of marketLogsOf(catalog, lifecycle, content, served, fillSlots)) {
      lines.push(
        [
          served,
          log.logIndex,
          log.transactionHash,
          chain.blockHash(served),
          chain.timestamp(served),
          log.address.toLowerCase(),
        ].join('|'),
      )
    }
  }
  return lines.sort()
}

describe('the activity step against the simulator, provider limits and faults on, with a reorg', () => {
  let sim: Simulator
  let h: StepHarness
  let outcome: Awaited<ReturnType<ReturnType<typeof createActivityStep>['run']>>

  beforeAll(async () => {
    // Dense enough (3 fills a block) that the reorged blocks at the tip hold lifecycle logs.
    sim = await simulator({ faults: FAULTS, blocks: 10_000 })
    h = await harness()
    outcome = await createActivityStep(chainOptions(sim), { adaptive: { initial: 100_000 } }).run(h.context())
  }, 300_000)

  it('covers every block after the reorg, faults and provider caps', async () => {
    expect(outcome.failures).toEqual([])
    expect(outcome.complete).toBe(true)
    expect(sim.world.chain.forkEpoch).toBe(1)
    const coverage = await activityCoverage(h.checkpoints, {
      from: sim.world.chain.startBlock,
      to: sim.world.chain.tip,
    })
    expect(coverage.gaps).toEqual([])
    expect(sim.stats().totals.faults).toBeGreaterThan(0)
  })

  it('holds exactly the lifecycle logs of the current fork', async () => {
    const loaded = await rows<{ line: string }>(
      h.warehouse,
      `SELECT concat_ws('|', toString(block_number), toString(log_index), tx_hash, block_hash,
                        toString(toUnixTimestamp(block_time)), contract) AS line
       FROM chain_activity FINAL`,
    )
    const expected = truthLines(sim)
    expect(expected.length).toBeGreaterThan(1_000)
    expect(loaded.map((row) => row.line).sort()).toEqual(expected)
    const quarantined = await rows<{ n: string }>(
      h.warehouse,
      "SELECT toString(count()) AS n FROM etl_quarantine FINAL WHERE stream = 'chain_activity'",
    )
    expect(quarantined[0]?.n).toBe('0')
  })
})
