// The chain step over three endpoints of one simulated chain, with the main endpoint's provider caps,
// faults and a reorg of the last blocks right after the tip was read: one more endpoint lagging
// 50,000 blocks behind with QuickNode's span cap (and answering past its head with what it has),
// one with Infura's result cap and a third of its requests failing, the lagging one listed first.
// chain_fills must still equal the ground truth exactly — no gap, no duplicate, no row of an
// abandoned block — with every endpoint taking a share within its head; and after another reorg,
// the next run's check (asked of the highest endpoint: the lagging one has no header for the head)
// finds it, rewinds, and loads the new branch.
import { beforeAll, describe, expect, it } from 'vitest'
import type { Simulator } from '../../../simulator/index.ts'
import { createChainStep } from '../../../steps/chain/index.ts'
import type { StepHarness } from './harness.ts'
import { chainOptions, FAULTS, harness, loadedLines, simulator, truthLines, WORLD } from './sim-helpers.ts'

const LAG = 50_000

describe('the chain step over three endpoints, one lagging and one faulty, with a reorg', () => {
  let sim: Simulator
  let h: StepHarness
  let outcome: Awaited<ReturnType<ReturnType<typeof createChainStep>['run']>>
  let step: ReturnType<typeof createChainStep>

  beforeAll(async () => {
    sim = await simulator({
      faults: FAULTS,
      rpcEndpoints: [
        { lagBlocks: LAG, rpcLimits: 'quicknode', rate: { limit: 400, windowMs: 1_000 } },
        { rpcLimits: 'infura', faults: '5xx=0.2,html=0.1,hang=0.03', rate: { limit: 400, windowMs: 1_000 } },
      ],
    })
    h = await harness()
    const [main, lagging, faulty] = sim.rpcUrls as [string, string, string]
    step = createChainStep(chainOptions(sim, { rpcUrls: [lagging, faulty, main] }), {
      adaptive: { initial: 20_000 },
    })
    outcome = await step.run(h.context())
  }, 240_000)

  async function expectTruth() {
    const truth = truthLines(sim)
    expect(truth.length).toBe(WORLD.fills)
    expect(await loadedLines(h, '')).toEqual(truth)
    const blocks = await h.warehouse.query<{ block: string; hash: string }>(
      'SELECT toString(block_number) AS block, block_hash AS hash FROM chain_blocks FINAL',
    )
    expect(blocks.filter((block) => sim.world.chain.blockHash(Number(block.block)) !== block.hash)).toEqual(
      [],
    )
  }

  it('holds exactly the ground truth, the reorg at the tip included', async () => {
    expect(outcome.failures).toEqual([])
    expect(outcome.complete).toBe(true)
    // The reorg happened (a retried answer may have met it already, so the run need not rewind).
    expect(sim.world.chain.forkEpoch).toBe(1)
    await expectTruth()
  })

  it('shares the ranges, each endpoint within its head, with its own range size', async () => {
    const endpoints = await h.warehouse.query<{
      endpoint: string
      head: string
      ranges: string
      range_cap: string
      too_large: string
      failed_requests: string
    }>(
      `SELECT endpoint, toString(head) AS head, toString(ranges) AS ranges, toString(range_cap) AS range_cap,
              toString(too_large) AS too_large, toString(failed_requests) AS failed_requests
       FROM etl_rpc_endpoints FINAL ORDER BY endpoint`,
    )
    const of = (url: string) => endpoints.find((entry) => entry.endpoint === new URL(url).origin)
    const [main, lagging, faulty] = sim.rpcUrls.map(of)
    for (const entry of [main, lagging, faulty]) expect(Number(entry?.ranges)).toBeGreaterThan(0)
    expect(Number(lagging?.head)).toBe(sim.world.chain.tip - LAG)
    // QuickNode's 10,000-block span cap, learned from its own refusals; the others have none.
    expect(Number(lagging?.range_cap)).toBeLessThanOrEqual(10_000)
    expect(Number(lagging?.too_large)).toBeGreaterThan(0)
    expect(Number(main?.range_cap)).toBeGreaterThan(10_000)
    expect(Number(faulty?.failed_requests)).toBeGreaterThan(0)
    // The lagging node was never asked for a block above its head.
    const stats = sim.rpcEndpointStats()[0]
    expect(stats?.endpoints.rpc?.requests).toBeGreaterThan(0)
  })

  it('finds a later reorg on the next run through the highest endpoint, and loads the new branch', async () => {
    sim.reorg(12)
    const again = await step.run(h.context())
    expect(again.failures).toEqual([])
    expect(again.complete).toBe(true)
    expect(step.lastRun?.rewinds.length).toBeGreaterThan(0)
    expect(h.notes.some((note) => note.startsWith('reorg:'))).toBe(true)
    await expectTruth()
  }, 120_000)
})
