// `polyhouse gaps` lists what is missing and `polyhouse repair` fetches exactly that: block ranges
// whose checkpoints (and rows) were lost, markets missing token rows, an orphan, wallets never
// fetched (--max-wallets) and wallets whose snapshot lost rows. After repair, gaps is empty and the
// tables hold what they held before the damage.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CheckpointStore } from '../../checkpoints/store.ts'
import { openWarehouse, type Warehouse } from '../../load/warehouse.ts'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { runChainStep } from '../helpers/chain-run.ts'
import { runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/warehouse.ts'

interface Counts {
  fills: number
  tokens: number
  positions: number
  fetched: number
}

describe('polyhouse gaps and repair', () => {
  let sim: Simulator
  let env: NodeJS.ProcessEnv
  let dataDir: string
  let before: Counts
  const damage = {
    ranges: [] as { from: number; to: number }[],
    tokenMarkets: [] as string[],
    orphan: '',
    wallets: [] as string[],
    /** A traded market lost whole (row and tokens), as if Gamma had never listed it; and its tokens. */
    unlistedMarket: '',
    unlistedTokens: [] as string[],
  }

  /** Opens the directory in this process for `work`, then frees it for the CLI. */
  async function withDirectory<T>(work: (warehouse: Warehouse) => Promise<T>): Promise<T> {
    const warehouse = await openWarehouse({ kind: 'embedded', dataDir })
    try {
      return await work(warehouse)
    } finally {
      await warehouse.close()
    }
  }

  const counts = (warehouse: Warehouse) =>
    warehouse
      .query<Record<keyof Counts, string>>(
        `SELECT (SELECT toString(count()) FROM chain_fills FINAL) AS fills,
                (SELECT toString(count()) FROM market_tokens FINAL) AS tokens,
                (SELECT toString(count()) FROM positions AS p FINAL
                 INNER JOIN (SELECT wallet, positions_snapshot_at FROM wallets FINAL) AS w ON p.wallet = w.wallet
                 WHERE p.snapshot_at >= w.positions_snapshot_at) AS positions,
                (SELECT toString(countIf(positions_snapshot_at > 0)) FROM wallets FINAL) AS fetched`,
      )
      .then(([row]) => ({
        fills: Number(row?.fills),
        tokens: Number(row?.tokens),
        positions: Number(row?.positions),
        fetched: Number(row?.fetched),
      }))

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'gaps',
      markets: 200,
      wallets: 30,
      fills: 4_000,
      blocks: 40_000,
      faults: 'drift=0.02',
      rateLimits: false,
      latency: { baseMs: 2, jitterMs: 2 },
      rpcLimits: 'alchemy',
    })
    env = { ...sim.env, POLYHOUSE_RATE: 'gamma=400/s,data-api=400/s,rpc=2000/s' }
    dataDir = path.join(tempDir(), 'warehouse')
    const chain = await runChainStep(dataDir, sim.rpcUrl)
    expect(chain).toMatchObject({ failures: [], complete: true })
    const backfill = await runCli(['--data-dir', dataDir, 'backfill', '--steps', 'markets,wallets'], env)
    expect(backfill.code).toBe(0)
    // What repair must restore.
    before = await withDirectory(counts)
    expect(before.fetched).toBe(30)

    await withDirectory(async (warehouse) => {
      // Two holes in the recorded block ranges, as an interrupted run leaves them: one lost its
      // rows too, the other's rows survived their checkpoint.
      const checkpoints = new CheckpointStore(warehouse, 'damage')
      const recorded = await checkpoints.rangeRows('chain_fills')
      const from = Math.min(...recorded.map((range) => range.from))
      const to = Math.max(...recorded.map((range) => range.to))
      const head = recorded.find((range) => range.to === to)
      const length = to - from + 1
      damage.ranges = [
        { from: from + Math.floor(length / 5), to: from + Math.floor(length / 5) + Math.floor(length / 20) },
        { from: from + Math.floor(length / 2), to: from + Math.floor(length / 2) + Math.floor(length / 10) },
      ]
      const [hole1, hole2] = damage.ranges as [{ from: number; to: number }, { from: number; to: number }]
      await checkpoints.reset('chain_fills')
      for (const range of [
        { from, to: hole1.from - 1 },
        { from: hole1.to + 1, to: hole2.from - 1 },
      ])
        await checkpoints.recordRange('chain_fills', { ...range, blockHash: '', rows: 0 })
      await checkpoints.recordRange('chain_fills', {
        from: hole2.to + 1,
        to,
        blockHash: head?.blockHash ?? '',
        rows: 0,
      })
      const [first] = damage.ranges
      for (const table of ['chain_fills', 'chain_fills_by_wallet', 'chain_blocks']) {
        await warehouse.command(
          `DELETE FROM ${table} WHERE block_number BETWEEN {from:UInt64} AND {to:UInt64}`,
          {
            from: first?.from,
            to: first?.to,
          },
        )
      }
      // Three markets lose token rows (all of them, or one).
      const deployed = await warehouse.query<{ id: string; token: string }>(
        `SELECT toString(market_id) AS id, toString(clob_token_ids[1]) AS token FROM markets FINAL
         WHERE condition_id != '' AND length(clob_token_ids) >= 2 ORDER BY market_id LIMIT 3`,
      )
      damage.tokenMarkets = deployed.map((market) => market.id)
      await warehouse.command('DELETE FROM market_tokens WHERE market_id IN {ids:Array(UInt64)}', {
        ids: damage.tokenMarkets.slice(0, 2).map(Number),
      })
      await warehouse.command('DELETE FROM market_tokens WHERE token_id = {token:UInt256}', {
        token: deployed[2]?.token,
      })
      // One traded market is lost whole: its fills (and positions) name tokens no market lists.
      const [traded] = await warehouse.query<{ id: string; tokens: string[] }>(
        `SELECT toString(market_id) AS id, arrayMap(t -> toString(t), clob_token_ids) AS tokens FROM markets FINAL
         WHERE market_id NOT IN {damaged:Array(UInt64)}
           AND hasAny(clob_token_ids, (SELECT groupUniqArray(token_id) FROM chain_fills))
         ORDER BY market_id DESC LIMIT 1`,
        { damaged: damage.tokenMarkets.map(Number) },
      )
      damage.unlistedMarket = traded?.id ?? ''
      const tradedTokens = await warehouse.query<{ token: string }>(
        `SELECT DISTINCT toString(token_id) AS token FROM chain_fills
         WHERE token_id IN (SELECT arrayJoin(arrayMap(t -> toUInt256(t), {tokens:Array(String)}))) ORDER BY token_id`,
        { tokens: traded?.tokens ?? [] },
      )
      damage.unlistedTokens = tradedTokens.map((row) => row.token)
      await warehouse.command('DELETE FROM markets WHERE market_id = {id:UInt64}', {
        id: damage.unlistedMarket,
      })
      await warehouse.command('DELETE FROM market_tokens WHERE market_id = {id:UInt64}', {
        id: damage.unlistedMarket,
      })
      // One market loses its event's title: an orphan.
      const [titled] = await warehouse.query<{ id: string }>(
        `SELECT toString(market_id) AS id FROM markets FINAL WHERE event_id != 0 AND event_title != ''
         ORDER BY market_id DESC LIMIT 1`,
      )
      damage.orphan = titled?.id ?? ''
      await warehouse.command(
        `INSERT INTO markets SELECT * REPLACE ('' AS event_title, now64(3) AS _ingested_at)
         FROM markets FINAL WHERE market_id = {id:UInt64}`,
        { id: damage.orphan },
      )
      // Two wallets lose their positions; ten are never fetched (as with --max-wallets).
      const wallets = await warehouse.query<{ wallet: string }>(
        'SELECT wallet FROM wallets FINAL WHERE positions_count > 0 ORDER BY wallet',
      )
      damage.wallets = wallets.slice(0, 2).map((row) => row.wallet)
      await warehouse.command('DELETE FROM positions WHERE wallet IN {wallets:Array(String)}', {
        wallets: damage.wallets,
      })
      await warehouse.command('DELETE FROM wallets WHERE wallet IN {wallets:Array(String)}', {
        wallets: wallets.slice(2, 12).map((row) => row.wallet),
      })
    })
    // The ten deleted wallets are found on chain again and queued by the next wallets run, which
    // fetches none of them: what --max-wallets leaves behind.
    const queued = await runCli(
      ['--data-dir', dataDir, 'backfill', '--steps', 'wallets', '--max-wallets', '0'],
      env,
    )
    expect(queued.code).toBe(0)
  }, 600_000)
  afterAll(async () => {
    await sim?.close()
  })

  it('lists every gap, grouped', { timeout: 120_000 }, async () => {
    const result = await runCli(['--data-dir', dataDir, 'gaps', '--json'], env)
    expect(result.code).toBe(0)
    const gaps = JSON.parse(result.stdout)
    expect(gaps.blocks.tip).toMatchObject({ known: true, tip: sim.truth.summary().chain.tip })
    expect(gaps.blocks.ranges).toEqual(
      damage.ranges.map((range) => ({ ...range, blocks: range.to - range.from + 1 })),
    )
    expect(
      gaps.markets.missingTokens.map((market: { market_id: string; missing: number }) => [
        market.market_id,
        market.missing,
      ]),
    ).toEqual(damage.tokenMarkets.map((id, i) => [id, i < 2 ? expect.any(Number) : 1]))
    expect(gaps.markets.orphans).toEqual([
      { market_id: damage.orphan, event_id: expect.any(String), reason: expect.any(String) },
    ])
    expect(damage.unlistedTokens.length).toBeGreaterThan(0)
    expect(gaps.markets.unlisted.map((token: { token_id: string }) => token.token_id).sort()).toEqual(
      [...damage.unlistedTokens].sort(),
    )
    const wallets = gaps.wallets as { wallet: string; reason: string }[]
    expect(wallets.filter((wallet) => wallet.reason === 'never-fetched')).toHaveLength(10)
    expect(wallets.filter((wallet) => wallet.reason === 'incomplete').map((wallet) => wallet.wallet)).toEqual(
      damage.wallets,
    )
    expect(wallets).toHaveLength(12)

    const text = await runCli(['--data-dir', dataDir, 'gaps'], env)
    expect(text.code).toBe(0)
    const [first] = damage.ranges
    expect(text.stdout).toMatch(
      /^block gaps \(chain_fills, blocks [\d,]+–[\d,]+, to the tip [\d,]+ − 32 confirmations\): 2 ranges, /,
    )
    expect(text.stdout).toContain(
      `  ${first?.from.toLocaleString('en-US')}–${first?.to.toLocaleString('en-US')}  `,
    )
    expect(text.stdout).toContain('markets missing tokens: 3\n')
    expect(text.stdout).toContain(
      `tokens seen in fills or positions that Gamma never listed: ${damage.unlistedTokens.length}\n`,
    )
    expect(text.stdout).toContain(
      'wallets without positions: 12 (10 never fetched, 0 seen on chain and not queued, 2 with an incomplete snapshot)',
    )
    expect(text.stdout).toMatch(/fetch them with: polyhouse repair\n$/)
  })

  it('refuses to repair block gaps without an RPC endpoint, changing nothing', {
    timeout: 60_000,
  }, async () => {
    const { POLYGON_RPC_URL: _, ...offline } = env
    const result = await runCli(['--data-dir', dataDir, 'repair'], offline)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(
      'polyhouse: 2 block ranges are missing and POLYGON_RPC_URL is not set; give --rpc-url or POLYGON_RPC_URL, or repair the rest with --only markets,wallets\n',
    )
    const runs = await withDirectory((warehouse) =>
      warehouse.query("SELECT run_id FROM etl_runs FINAL WHERE command = 'repair'"),
    )
    expect(runs).toEqual([])
  })

  it('repairs exactly those, keeping what exists, and gaps is then empty', { timeout: 300_000 }, async () => {
    const result = await runCli(['--data-dir', dataDir, 'repair'], env)
    expect(result.stderr).toContain('polyhouse: repairing 2 block ranges (')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(
      'markets: 3 fetched, 1 never listed before fetched by condition or token id, ',
    )
    expect(result.stdout).toContain('wallets: 12 fetched, ')
    expect(result.stdout).toMatch(/gaps now: none\n$/)
    const after = await runCli(['--data-dir', dataDir, 'gaps', '--json'], env)
    const gaps = JSON.parse(after.stdout)
    expect(gaps.blocks.ranges).toEqual([])
    expect(gaps.markets).toMatchObject({ orphans: [], missingTokens: [], unlisted: [] })
    expect(gaps.wallets).toEqual([])
    expect(await withDirectory(counts)).toEqual(before)
    // Skip-existing: the damaged markets keep the version the backfill stored.
    const runs = await withDirectory((warehouse) =>
      warehouse.query<{ id: string; run: string; command: string }>(
        `SELECT toString(m.market_id) AS id, m._run_id AS run, r.command AS command
         FROM (SELECT market_id, _run_id FROM markets FINAL WHERE market_id IN {ids:Array(UInt64)}) AS m
         LEFT JOIN (SELECT run_id, command FROM etl_runs FINAL) AS r ON m._run_id = r.run_id ORDER BY id`,
        { ids: damage.tokenMarkets.map(Number) },
      ),
    )
    expect(runs.map((row) => row.command)).toEqual(['backfill', 'backfill', 'backfill'])
    // The market lost whole is back, fetched by repair.
    const [lost] = await withDirectory((warehouse) =>
      warehouse.query<{ command: string }>(
        `SELECT r.command AS command FROM (SELECT _run_id FROM markets FINAL WHERE market_id = {id:UInt64}) AS m
         INNER JOIN (SELECT run_id, command FROM etl_runs FINAL) AS r ON m._run_id = r.run_id`,
        { id: damage.unlistedMarket },
      ),
    )
    expect(lost?.command).toBe('repair')
  })

  it('--overwrite fetches again and replaces what exists', { timeout: 300_000 }, async () => {
    await withDirectory((warehouse) =>
      warehouse.command('DELETE FROM market_tokens WHERE market_id = {id:UInt64}', {
        id: damage.tokenMarkets[0],
      }),
    )
    const result = await runCli(['--data-dir', dataDir, 'repair', '--overwrite', '--only', 'markets'], env)
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('polyhouse: repairing 0 orphan markets, 1 markets missing tokens\n')
    expect(result.stdout).toMatch(/gaps now: none\n$/)
    const [market] = await withDirectory((warehouse) =>
      warehouse.query<{ command: string }>(
        `SELECT r.command AS command FROM (SELECT _run_id FROM markets FINAL WHERE market_id = {id:UInt64}) AS m
         INNER JOIN (SELECT run_id, command FROM etl_runs FINAL) AS r ON m._run_id = r.run_id`,
        { id: damage.tokenMarkets[0] },
      ),
    )
    expect(market?.command).toBe('repair')
    expect((await withDirectory(counts)).tokens).toBe(before.tokens)
  })
})
