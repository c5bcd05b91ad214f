// Several RPC endpoints, as an operator gives them: `backfill --steps chain,transfers` against three
// simulated endpoints of one chain — one healthy, one whose head lags 15,000 blocks behind (and
// answers ranges past its head with only what it has: an empty list above it), one that answers 40
// requests and then 503 to everything — loads exactly what a run against the healthy endpoint
// alone loads (fingerprints of every table and view), the same through POLYGON_RPC_URL(S), and
// `status` shows each endpoint's throughput and errors, by host only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compareFingerprints, fingerprintOf } from '../../bench/shared/fingerprints.ts'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { type CliResult, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/warehouse.ts'

const LAG_BLOCKS = 15_000
const OUTAGE_AFTER = 40
const BACKFILL = ['backfill', '--steps', 'chain,transfers', '--confirmations', '0']

describe('backfill with several RPC endpoints, one lagging and one failing', () => {
  let sim: Simulator
  let env: NodeJS.ProcessEnv
  const dirs = { single: '', several: '', fromEnv: '' }
  const runs: Record<keyof typeof dirs, CliResult | undefined> = {
    single: undefined,
    several: undefined,
    fromEnv: undefined,
  }
  let healthy: string
  let lagging: string
  let failing: string

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'rpc-endpoints',
      markets: 100,
      wallets: 40,
      fills: 4_000,
      blocks: 40_000,
      rateLimits: false,
      latency: { baseMs: 1, jitterMs: 1 },
      rpcEndpoints: [
        { lagBlocks: LAG_BLOCKS, rpcLimits: 'quicknode', latency: { baseMs: 1, jitterMs: 1 } },
        { outageAfter: OUTAGE_AFTER, rpcLimits: 'infura', latency: { baseMs: 1, jitterMs: 1 } },
      ],
    })
    ;[healthy, lagging, failing] = sim.rpcUrls as [string, string, string]
    env = { GAMMA_URL: sim.gammaUrl, DATA_API_URL: sim.dataApiUrl, POLYHOUSE_RATE: 'rpc=2000/s' }
    for (const name of Object.keys(dirs) as (keyof typeof dirs)[]) dirs[name] = `${tempDir()}/warehouse`
    runs.single = await runCli(['--data-dir', dirs.single, ...BACKFILL, '--rpc-url', healthy], env)
    runs.several = await runCli(
      [
        '--data-dir',
        dirs.several,
        ...BACKFILL,
        '--rpc-url',
        healthy,
        '--rpc-url',
        lagging,
        '--rpc-url',
        failing,
      ],
      env,
    )
  }, 600_000)
  afterAll(async () => {
    await sim?.close()
  })

  it('loads exactly what one healthy endpoint loads', async () => {
    expect(runs.single?.code, runs.single?.stderr).toBe(0)
    expect(runs.several?.code, runs.several?.stderr).toBe(0)
    const [single, several] = [await fingerprintOf(dirs.single), await fingerprintOf(dirs.several)]
    expect(single.chain_fills?.rows).toBe(sim.truth.summary().chain.fills)
    expect(single.chain_transfers?.rows).toBeGreaterThan(0)
    const differing = compareFingerprints(single, several).filter((match) => !match.matched)
    expect(differing).toEqual([])
  })

  it('shows each endpoint’s throughput and errors in status, by host only', async () => {
    const status = await runCli(['--data-dir', dirs.several, 'status', '--json'], env)
    expect(status.code).toBe(0)
    const { rpcEndpoints } = JSON.parse(status.stdout)
    const host = (url: string) => new URL(url).origin
    const of = (stream: string, url: string) =>
      rpcEndpoints.endpoints.find(
        (entry: { stream: string; endpoint: string }) =>
          entry.stream === stream && entry.endpoint === host(url),
      )
    const tip = sim.world.chain.tip
    for (const stream of ['chain_fills', 'chain_transfers']) {
      const [a, b, c] = [of(stream, healthy), of(stream, lagging), of(stream, failing)]
      expect(a).toMatchObject({ state: 'ok', head: tip, failedRanges: 0 })
      expect(a.logsPerSecond).toBeGreaterThan(0)
      // The lagging endpoint took its share below its head, and nothing above it.
      expect(b).toMatchObject({ state: 'ok', head: tip - LAG_BLOCKS })
      expect(b.ranges).toBeGreaterThan(0)
      expect(a.share + b.share + c.share).toBeCloseTo(1, 6)
    }
    // The failing endpoint failed ranges, each taken over by another endpoint (none recorded failed).
    const failed = [of('chain_fills', failing), of('chain_transfers', failing)]
    expect(failed.reduce((sum, entry) => sum + entry.failedRanges, 0)).toBeGreaterThan(0)
    for (const entry of failed) {
      expect(entry.handedOff).toBe(entry.failedRanges)
      if (entry.failedRanges) expect(entry.lastError).toMatch(/503/)
    }
    expect(JSON.parse(status.stdout).errors.total).toBe(0)

    const text = await runCli(['--data-dir', dirs.several, 'status'], env)
    expect(text.stdout).toMatch(/rpc endpoints \(run /)
    expect(text.stdout).toMatch(new RegExp(`chain +${host(lagging)} +ok +[\\d,]+ logs/s \\(\\d+% of logs\\)`))
    expect(text.stdout).toMatch(new RegExp(`${host(failing)} .*[1-9][\\d,]* failed ranges`))
  })

  it('takes the endpoints from POLYGON_RPC_URL and POLYGON_RPC_URLS as well', async () => {
    runs.fromEnv = await runCli(['--data-dir', dirs.fromEnv, ...BACKFILL], {
      ...env,
      POLYGON_RPC_URL: lagging,
      POLYGON_RPC_URLS: `${failing},${healthy}`,
    })
    expect(runs.fromEnv.code, runs.fromEnv.stderr).toBe(0)
    const differing = compareFingerprints(
      await fingerprintOf(dirs.single),
      await fingerprintOf(dirs.fromEnv),
    ).filter((match) => !match.matched)
    expect(differing).toEqual([])
  }, 300_000)
})
