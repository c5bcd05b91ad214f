// `--shard 1/2` and `--shard 2/2` running at once into one warehouse, against a provider that caps
// ranges at 10,000 blocks: each loads only its own 100,000-block chunks, and together they load
// every fill exactly once.
import { describe, expect, it } from 'vitest'
import { createChainStep, fillsCoverage } from '../../../steps/chain/index.ts'
import { chainOptions, harness, loadedLines, simulator, truthLines, WORLD } from './sim-helpers.ts'

describe('sharding the chain step', () => {
  it('two shards split the span without overlap and together load everything', async () => {
    const sim = await simulator({ seed: 'shards', rpcLimits: 'quicknode' })
    const h = await harness()
    const [one, two] = await Promise.all([
      createChainStep(chainOptions(sim, { shard: { index: 1, count: 2 } })).run(h.context()),
      createChainStep(chainOptions(sim, { shard: { index: 2, count: 2 } })).run(h.context()),
    ])
    expect(one).toMatchObject({ failures: [], complete: true })
    expect(two).toMatchObject({ failures: [], complete: true })
    expect(one.rows).toBeGreaterThan(0)
    expect(two.rows).toBeGreaterThan(0)
    expect(one.rows + two.rows).toBe(WORLD.fills)
    expect(await loadedLines(h, '')).toEqual(truthLines(sim))
    const span = { from: sim.world.chain.startBlock, to: sim.world.chain.tip }
    const first = await fillsCoverage(h.checkpoints, { ...span, shard: { index: 1, count: 2 } })
    const second = await fillsCoverage(h.checkpoints, { ...span, shard: { index: 2, count: 2 } })
    expect(first.gaps).toEqual([])
    expect(second.gaps).toEqual([])
    expect(first.blocks).toBeGreaterThan(0)
    expect(second.blocks).toBeGreaterThan(0)
    expect(first.blocks + second.blocks).toBe(WORLD.blocks)
    expect(h.notes.filter((note) => note.includes('too large')).length).toBeGreaterThan(0)
  }, 240_000)
})
