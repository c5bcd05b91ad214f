// A block whose logs alone exceed the provider's result cap: the range shrinks to that one block,
// is still refused, and is recorded as that range's failure (etl_errors, not done) — the run does not
// treat the provider as refusing it for good.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Simulator, startSimulator } from '../../../simulator/index.ts'
import { createChainStep } from '../../../steps/chain/index.ts'
import { localChainOptions, openStepHarness, type StepHarness } from './harness.ts'

describe('a single block over the result cap', () => {
  let sim: Simulator
  let h: StepHarness

  beforeAll(async () => {
    // Infura answers at most 10,000 logs at any span; two blocks share 25,000 fills.
    sim = await startSimulator({
      seed: 'too-large',
      markets: 50,
      wallets: 20,
      fills: 25_000,
      blocks: 2,
      rpcLimits: 'infura',
    })
    h = await openStepHarness()
  }, 120_000)
  afterAll(async () => {
    await h?.close()
    await sim?.close()
  })

  it('records each such block as a failed range and goes on', { timeout: 120_000 }, async () => {
    const { startBlock, tip } = sim.world.chain
    const step = createChainStep(localChainOptions(sim.rpcUrl, { fromBlock: startBlock }))
    const outcome = await step.run(h.context())
    expect(outcome.complete).toBe(false)
    // One block of the two holds over 10,000 fills: it alone is failed, and the other one is loaded.
    const failed = outcome.failures.map((failure) => failure.unit)
    expect(failed).toHaveLength(1)
    const [from, to] = (failed[0] as string).split('-').map(Number)
    expect(from).toBe(to)
    expect(from).toBeGreaterThanOrEqual(startBlock)
    expect(from).toBeLessThanOrEqual(tip)
    expect(outcome.rows).toBeGreaterThan(0)
    const errors = await h.warehouse.query<{ unit: string; error_kind: string }>(
      'SELECT unit, error_kind FROM etl_errors ORDER BY unit',
    )
    expect(errors).toEqual([{ unit: failed[0], error_kind: 'RangeTooLargeError' }])
  })
})
