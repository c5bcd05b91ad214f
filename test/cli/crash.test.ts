// kill -9 at random moments, resume each time: the warehouse ends with exactly the content of an
// uninterrupted run (compared as per-table fingerprints of sorted row hashes).
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fingerprint, fingerprint } from '../../load/fingerprint.ts'
import { openWarehouse } from '../../load/warehouse.ts'
import { BIN, ROOT, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/warehouse.ts'
import { type Simulator, startSimulator } from '../simulator/index.ts'

/** Kills per step in the suite; the bench repeats this at scale. */
const KILLS = Number(process.env.POLYHOUSE_CRASH_KILLS ?? 3)
const FAULTS = '5xx=0.05,truncate=0.01,html=0.01,drift=0.01'

describe('crash safety of the API steps', () => {
  let sim: Simulator
  let walletsFile: string
  let env: NodeJS.ProcessEnv
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'crash',
      markets: 600,
      wallets: 120,
      fills: 8_000,
      faults: FAULTS,
      rateLimits: false,
      latency: { baseMs: 5, jitterMs: 5 },
    })
    walletsFile = path.join(tempDir(), 'wallets.txt')
    fs.writeFileSync(walletsFile, sim.truth.wallets().join('\n'))
    env = { ...sim.env, POLYHOUSE_RATE: 'gamma=400/s,data-api=400/s' }
  })
  afterAll(async () => {
    await sim?.close()
  })

  async function fingerprintOf(dataDir: string): Promise<Fingerprint> {
    const warehouse = await openWarehouse({ kind: 'embedded', dataDir })
    try {
      return await fingerprint(warehouse, undefined, { includeViews: true })
    } finally {
      await warehouse.close()
    }
  }

  it('ends equal to an uninterrupted run after repeated SIGKILLs', { timeout: 900_000 }, async () => {
    const args = ['backfill', '--steps', 'markets,wallets', '--wallets', walletsFile]
    const clean = path.join(tempDir(), 'warehouse')
    const first = await runCli(['--data-dir', clean, ...args], env)
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)

    const crashed = path.join(tempDir(), 'warehouse')
    let killed = 0
    for (let attempt = 0; attempt < KILLS * 3 && killed < KILLS; attempt++) {
      const child = spawn(process.execPath, [BIN, '--data-dir', crashed, ...args], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: 'ignore',
      })
      const delay = 300 + Math.floor(Math.random() * 2_500)
      const exited = await Promise.race([
        new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))),
        new Promise<'kill'>((resolve) => setTimeout(() => resolve('kill'), delay)),
      ])
      if (exited === 'kill') {
        child.kill('SIGKILL')
        await new Promise((resolve) => child.on('exit', resolve))
        killed++
      }
    }
    expect(killed).toBeGreaterThan(0)
    const resumed = await runCli(['--data-dir', crashed, ...args], env)
    expect(resumed.code).toBe(0)

    const expected = await fingerprintOf(clean)
    const actual = await fingerprintOf(crashed)
    expect(expected.markets?.rows).toBeGreaterThan(0)
    expect(expected.positions?.rows).toBeGreaterThan(0)
    expect(actual).toEqual(expected)
  })
})
