// kill -9 at random moments of the whole backfill (every step, faults on for the APIs and the RPC),
// resume each time: the warehouse ends with exactly the content of an uninterrupted run, compared
// as per-table and per-view fingerprints of sorted row hashes. bench/crash.ts repeats this at scale.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type CrashSetup,
  crashAndResume,
  failedUnits,
  planKills,
  runToEnd,
  startCrashSimulator,
} from '../../bench/shared/crash.ts'
import { compareFingerprints, explainMismatch, fingerprintOf } from '../../bench/shared/fingerprints.ts'
import { tempDir } from '../helpers/warehouse.ts'

/** Kills in the suite (the bench makes 20 or more). */
const KILLS = Number(process.env.POLYHOUSE_CRASH_KILLS ?? 3)
/** Small enough for a few minutes; the transfers step still scans ~29.6M blocks from ConditionalTokens' deployment. */
const WORLD = { seed: 'crash', markets: 400, wallets: 80, fills: 6_000, blocks: 60_000 }

describe('crash safety of the whole backfill', () => {
  let setup: CrashSetup
  beforeAll(async () => {
    setup = await startCrashSimulator(WORLD)
  })
  afterAll(async () => {
    await setup?.sim.close()
  })

  it('ends equal to an uninterrupted run after SIGKILLs in several steps', { timeout: 900_000 }, async () => {
    const cleanDir = path.join(tempDir(), 'warehouse')
    const clean = await runToEnd(cleanDir, setup)
    expect(clean.last.code, clean.last.tail).toBe(0)

    const crashedDir = path.join(tempDir(), 'warehouse')
    const crashed = await crashAndResume(crashedDir, setup, clean, planKills(KILLS, clean))
    expect(crashed.finish.last.code, crashed.finish.last.tail).toBe(0)

    const story = JSON.stringify({ kills: crashed.kills, exited: crashed.exited })
    expect(crashed.kills.length, story).toBe(KILLS)
    if (KILLS >= 2) {
      const landed = new Set(crashed.kills.map((kill) => kill.step))
      expect(landed.size, story).toBeGreaterThanOrEqual(2)
      // At least one kill inside the block-range engine (every log stream runs on it).
      const logStreams = ['chain', 'transfers', 'activity', 'amm', 'owners']
      expect(
        logStreams.some((step) => landed.has(step)),
        story,
      ).toBe(true)
    }
    // Runs that ended with failed units and were run again (not a crash; see runToEnd).
    const reruns = [...clean.runs.slice(0, -1), ...crashed.finish.runs.slice(0, -1)].flatMap(failedUnits)
    if (reruns.length > 0) console.warn(`runs ended with failed units and ran again:\n${reruns.join('\n')}`)

    const expected = await fingerprintOf(cleanDir)
    const actual = await fingerprintOf(crashedDir)
    for (const table of ['markets', 'positions', 'chain_fills', 'chain_transfers'])
      expect(expected[table]?.rows, table).toBeGreaterThan(0)
    const differing = compareFingerprints(expected, actual).filter((match) => !match.matched)
    const rows: string[] = []
    for (const { relation } of differing)
      rows.push(...(await explainMismatch(cleanDir, crashedDir, relation)))
    expect(actual, rows.join('\n')).toEqual(expected)
  })
})
