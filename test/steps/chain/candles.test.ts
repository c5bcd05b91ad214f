// Candles against the simulator, with faults and a reorg of the last blocks right after the tip was
// read: vw_candles_1m/1h/1d must equal the candles computed here from the simulator's fills (its
// taker legs, in the current fork), and stay equal when every range is fetched and inserted again
// (the chain step's progress discarded, as `backfill --fresh chain` does).
import { beforeAll, describe, expect, it } from 'vitest'
import type { Simulator } from '../../../simulator/index.ts'
import type { Fill } from '../../../simulator/world/fills.ts'
import { createChainStep } from '../../../steps/chain/index.ts'
import { rows, type StepHarness } from './harness.ts'
import { chainOptions, FAULTS, harness, simulator } from './sim-helpers.ts'

const SCALE = 10n ** 18n
const fixed = (value: bigint, places: number) => {
  const unit = 10n ** BigInt(places)
  return `${value / unit}.${(value % unit).toString().padStart(places, '0')}`
}
const BUCKETS = { '1m': 60, '1h': 3_600, '1d': 86_400 } as const

/** The candles of the world's matches, computed from its fills (no SQL). */
function truthCandles(sim: Simulator, seconds: number): string[] {
  const chain = sim.world.chain
  const candles = new Map<string, { fills: Fill[] }>()
  for (const fill of sim.truth.fills(chain.startBlock, chain.tip) as Generator<Fill>) {
    if (!fill.isTakerLeg || fill.shares === 0) continue
    const time = chain.timestamp(fill.blockNumber)
    const key = `${sim.world.catalog.tokenIdDecimal(fill.token)}|${time - (time % seconds)}`
    const candle = candles.get(key) ?? { fills: [] }
    candle.fills.push(fill)
    candles.set(key, candle)
  }
  return [...candles].map(([key, { fills }]) => {
    const [token, bucket] = key.split('|') as [string, string]
    const order = [...fills].sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex)
    const price = (fill: Fill) => (BigInt(fill.collateral) * SCALE) / BigInt(fill.shares)
    const prices = fills.map(price)
    const volume = fills.reduce((sum, fill) => sum + BigInt(fill.collateral), 0n)
    const shares = fills.reduce((sum, fill) => sum + BigInt(fill.shares), 0n)
    const ascending = [...prices].sort((a, b) => Number(a - b))
    const [min, max] = [ascending[0] as bigint, ascending.at(-1) as bigint]
    return [
      token,
      new Date(Number(bucket) * 1000).toISOString().slice(0, 19).replace('T', ' '),
      fixed(price(order[0] as Fill), 18),
      fixed(max, 18),
      fixed(min, 18),
      fixed(price(order.at(-1) as Fill), 18),
      fixed(volume, 6),
      String(fills.length),
      fixed((volume * SCALE) / shares, 18),
    ].join('|')
  })
}

async function loadedCandles(h: StepHarness, view: string): Promise<string[]> {
  const loaded = await rows<{ line: string }>(
    h.warehouse,
    `SELECT concat_ws('|', toString(token_id), toString(bucket), toString(open), toString(high), toString(low),
                      toString(close), toString(volume), toString(trades), toString(vwap)) AS line
     FROM ${view}`,
  )
  return loaded.map((row) => row.line)
}

/** toString of a Decimal drops trailing zeros: compare at the decimals' full scale by padding the truth. */
function trimmed(line: string): string {
  return line
    .split('|')
    .map((field) => (/^\d+\.\d+$/.test(field) ? field.replace(/0+$/, '').replace(/\.$/, '') : field))
    .join('|')
}

describe('candles against the simulator, faults and a reorg on', () => {
  let sim: Simulator
  let h: StepHarness

  beforeAll(async () => {
    sim = await simulator({ faults: FAULTS })
    h = await harness()
    const step = createChainStep(chainOptions(sim))
    const outcome = await step.run(h.context())
    expect(outcome.failures).toEqual([])
    expect(sim.world.chain.forkEpoch).toBe(1)
  }, 300_000)

  it('equal the candles of the world’s matches at 1 minute, 1 hour and 1 day', async () => {
    for (const [name, seconds] of Object.entries(BUCKETS)) {
      const expected = truthCandles(sim, seconds).map(trimmed).sort()
      expect(expected.length, name).toBeGreaterThan(0)
      expect((await loadedCandles(h, `vw_candles_${name}`)).sort(), name).toEqual(expected)
    }
  })

  it('stay the same when every range is fetched and inserted again', async () => {
    const before = (await loadedCandles(h, 'vw_candles_1m')).sort()
    const step = createChainStep(chainOptions(sim))
    await step.reset(h.context())
    const outcome = await step.run(h.context())
    expect(outcome.failures).toEqual([])
    expect(outcome.rows).toBeGreaterThan(0)
    expect((await loadedCandles(h, 'vw_candles_1m')).sort()).toEqual(before)
  })
})
