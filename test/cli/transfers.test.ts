// Chain balances for every wallet, as an operator runs it: `polyhouse backfill --steps
// chain,transfers,wallets` against the simulator, the transfers step from ConditionalTokens'
// deployment (years of empty blocks before the simulated exchanges), the wallets step bounded by
// --max-wallets and ordered by chain activity, `status` telling how many wallets remain and when
// they would finish, then the rest fetched and every fetched wallet's balances reconciled with its
// Data API positions: all 'match'.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CTF_DEPLOYMENT_BLOCK, DEFAULT_CONFIRMATIONS_POLYGON } from '../../extract/chain/contracts.ts'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/warehouse.ts'

const FIRST_NIGHT = 25

describe('backfill --steps chain,transfers,wallets', () => {
  let sim: Simulator
  let env: NodeJS.ProcessEnv
  let dataDir: string
  let firstNight: Awaited<ReturnType<typeof runCli>>

  async function query<T>(sql: string): Promise<T[]> {
    const result = await runCli(['--data-dir', dataDir, 'query', sql, '--format', 'json'])
    expect(result.stderr).toBe('')
    return JSON.parse(result.stdout) as T[]
  }

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'transfers-cli',
      markets: 200,
      wallets: 80,
      fills: 6_000,
      blocks: 60_000,
      rateLimits: false,
      latency: { baseMs: 1, jitterMs: 1 },
    })
    env = { ...sim.env, POLYHOUSE_RATE: 'data-api=400/s,rpc=2000/s' }
    dataDir = `${tempDir()}/warehouse`
    firstNight = await runCli(
      [
        '--data-dir',
        dataDir,
        'backfill',
        '--steps',
        'chain,transfers,wallets',
        '--confirmations',
        '0',
        '--max-wallets',
        String(FIRST_NIGHT),
        '--wallet-order',
        'activity',
      ],
      env,
    )
  }, 600_000)
  afterAll(async () => {
    await sim?.close()
  })

  it('covers the transfers from ConditionalTokens’ deployment to the tip', async () => {
    expect(firstNight.stderr).not.toContain('ERROR')
    expect(firstNight.code).toBe(0)
    const status = await runCli(['--data-dir', dataDir, 'status', '--json'], env)
    expect(status.code).toBe(0)
    const transfers = JSON.parse(status.stdout).steps.transfers
    expect(transfers).toMatchObject({
      started: true,
      from: CTF_DEPLOYMENT_BLOCK,
      // status measures to the safe head at the default depth; the run read to the tip.
      to: sim.truth.summary().chain.tip - DEFAULT_CONFIRMATIONS_POLYGON,
      gapCount: 0,
      fraction: 1,
    })
    expect(transfers.rows).toBeGreaterThan(sim.truth.summary().chain.fills)
    const text = await runCli(['--data-dir', dataDir, 'status'], env)
    expect(text.stdout).toMatch(/^ {2}transfers 100\.00% of blocks /m)
    expect(text.stdout).toMatch(/^ {2}chain {5}100\.00% of blocks /m)
  })

  it('fetches the most active wallets first and says how many remain and for how long', async () => {
    const fetched = await query<{ wallet: string }>(
      'SELECT wallet FROM wallets FINAL WHERE positions_snapshot_at > 0 ORDER BY wallet',
    )
    expect(fetched).toHaveLength(FIRST_NIGHT)
    // Activity: maker fills and transfer legs, as the warehouse counts them.
    const ranked = await query<{ wallet: string; score: string }>(
      `SELECT wallet, toString(sum(n)) AS score FROM (
         SELECT maker AS wallet, count() AS n FROM chain_fills_by_wallet FINAL GROUP BY maker
         UNION ALL SELECT wallet, count() FROM chain_transfers_by_wallet FINAL GROUP BY wallet)
       WHERE wallet IN (SELECT wallet FROM wallets FINAL)
       GROUP BY wallet ORDER BY sum(n) DESC, wallet`,
    )
    const scores = new Map(ranked.map((row) => [row.wallet, Number(row.score)]))
    const lowestFetched = Math.min(...fetched.map((row) => scores.get(row.wallet) ?? 0))
    const highestLeft = Math.max(
      ...ranked
        .filter((row) => !fetched.some((f) => f.wallet === row.wallet))
        .map((row) => Number(row.score)),
    )
    expect(lowestFetched).toBeGreaterThanOrEqual(highestLeft)

    const status = await runCli(['--data-dir', dataDir, 'status', '--json'], env)
    const wallets = JSON.parse(status.stdout).steps.wallets
    expect(wallets.remaining).toBe(sim.truth.summary().wallets - FIRST_NIGHT)
    expect(wallets.etaSeconds).toBeCloseTo(wallets.remaining / wallets.requestsPerSecond, 6)
    const text = await runCli(['--data-dir', dataDir, 'status'], env)
    expect(text.stdout).toContain(`${wallets.remaining} to fetch: at least`)
  })

  it('reconciles every fetched wallet’s chain balances with its API positions', {
    timeout: 300_000,
  }, async () => {
    const rest = await runCli(
      ['--data-dir', dataDir, 'backfill', '--steps', 'wallets', '--wallet-order', 'recent'],
      env,
    )
    expect(rest.code).toBe(0)
    // Rows with nothing on either side are tokens a wallet traded, split or redeemed down to zero:
    // they match too, and the held ones are exactly the simulator's non-empty positions.
    const statuses = await query<{ balance_status: string; held: string }>(
      `SELECT balance_status, toString(countIf(api_shares != 0 OR balance_shares != 0)) AS held
       FROM vw_position_reconciliation
       WHERE positions_fetched = 1 GROUP BY balance_status ORDER BY balance_status`,
    )
    const positions = sim.truth
      .wallets()
      .reduce((sum, wallet) => sum + sim.truth.positions(wallet).filter((p) => p.sizeUnits !== 0).length, 0)
    expect(statuses).toEqual([{ balance_status: 'match', held: String(positions) }])
  })

  it('refuses an unknown --wallet-order with the choices', async () => {
    const result = await runCli([
      '--data-dir',
      dataDir,
      'backfill',
      '--steps',
      'wallets',
      '--wallet-order',
      'size',
    ])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--wallet-order size is not an order')
    expect(result.stderr).toContain('activity, recent, address')
  })
})
