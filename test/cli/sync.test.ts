// `polyhouse sync` keeps a backfilled warehouse current: after the simulated world changes (a hot
// event's volume and prices, a market about to end, markets resolved, new blocks with fills), each
// poller upserts exactly what changed in its slice, the chain follows the tip, and exactly the
// wallets that traded in the new blocks get their positions again. A pass over an unchanged world
// writes nothing. The looping form polls on its cadences and stops on SIGTERM with exit code 130.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NON_WALLET_CONTRACTS, ZERO_ADDRESS } from '../../extract/chain/contracts.ts'
import { openWarehouse, type Warehouse } from '../../load/warehouse.ts'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { BIN, ROOT, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/warehouse.ts'

/** The chain step's default confirmation depth (extract/chain/contracts.ts), used by both commands. */
const CONFIRMATIONS = 32
/** Blocks the RPC hides during the backfill, shown before the sync. */
const HELD_BACK = 300
/** The promise: SIGTERM stops the loop within 5 s. */
const EXIT_WITHIN_MS = 5_000
const DATA_TABLES = [
  'markets',
  'events',
  'market_tokens',
  'tags',
  'positions',
  'wallets',
  'chain_fills',
  'chain_blocks',
]

describe('polyhouse sync', () => {
  let sim: Simulator
  let env: NodeJS.ProcessEnv
  let dataDir: string
  let tip: number
  /** What the test changes in the world, chosen from what the backfill stored. */
  const world = {
    hotEvent: '',
    hotMarkets: [] as string[],
    pricedMarket: '',
    shortMarket: '',
    closedMarkets: [] as string[],
    closedEvents: [] as string[],
  }

  async function withDirectory<T>(work: (warehouse: Warehouse) => Promise<T>): Promise<T> {
    const warehouse = await openWarehouse({ kind: 'embedded', dataDir })
    try {
      return await work(warehouse)
    } finally {
      await warehouse.close()
    }
  }

  /** Ids of `table` rows written at or after `since` (new versions), sorted. */
  const written = (warehouse: Warehouse, table: 'markets' | 'events', since: number) =>
    warehouse
      .query<{ id: string }>(
        `SELECT DISTINCT toString(${table === 'markets' ? 'market_id' : 'event_id'}) AS id FROM ${table}
         WHERE _ingested_at >= fromUnixTimestamp64Milli({since:Int64}) ORDER BY id`,
        { since },
      )
      .then((rows) => rows.map((row) => row.id))

  const sync = (...args: string[]) => runCli(['--data-dir', dataDir, 'sync', ...args], env)

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'sync',
      markets: 300,
      wallets: 200,
      fills: 3_000,
      blocks: 30_000,
      rateLimits: false,
      latency: { baseMs: 2, jitterMs: 2 },
    })
    tip = sim.truth.summary().chain.tip
    sim.setTip(tip - HELD_BACK)
    env = { ...sim.env, POLYHOUSE_RATE: 'gamma=400/s,data-api=400/s,rpc=2000/s' }
    dataDir = path.join(tempDir(), 'warehouse')
    const backfill = await runCli(
      ['--data-dir', dataDir, 'backfill', '--steps', 'markets,chain,transfers,wallets,views'],
      env,
    )
    expect(backfill.code, backfill.stdout + backfill.stderr).toBe(0)

    await withDirectory(async (warehouse) => {
      const events = await warehouse.query<{ id: string; markets: string[] }>(
        `SELECT toString(event_id) AS id, arrayMap(id -> toString(id), market_ids) AS markets
         FROM events FINAL WHERE closed = 0 ORDER BY volume DESC, event_id`,
      )
      // The least traded open event becomes the hottest; the two hottest stay in the top 3.
      const hot = events[events.length - 1]
      world.hotEvent = hot?.id ?? ''
      world.hotMarkets = [...(hot?.markets ?? [])].sort()
      const top = new Set([world.hotEvent, ...events.slice(0, 2).map((event) => event.id)])
      const markets = await warehouse.query<{
        id: string
        event: string
        outcomes: string
        siblings: string
      }>(
        `SELECT toString(m.market_id) AS id, toString(m.event_id) AS event, toString(length(m.outcomes)) AS outcomes,
                toString(if(m.event_id = 0, 1, length(e.market_ids))) AS siblings
         FROM (SELECT * FROM markets FINAL WHERE closed = 0) AS m
         LEFT JOIN (SELECT event_id, market_ids FROM events FINAL) AS e ON m.event_id = e.event_id
         ORDER BY m.market_id`,
      )
      world.pricedMarket =
        markets.find((market) => market.event === world.hotEvent && market.outcomes === '2')?.id ?? ''
      // Markets alone in their event (or standalone): closing one closes no other market's event.
      const alone = markets.filter((market) => market.siblings === '1' && !top.has(market.event))
      expect(alone.length).toBeGreaterThanOrEqual(3)
      world.shortMarket = alone[0]?.id ?? ''
      world.closedMarkets = alone.slice(1, 3).map((market) => market.id)
      world.closedEvents = alone
        .slice(1, 3)
        .map((market) => market.event)
        .filter((event) => event !== '0')
        .sort()
    })
    expect(world.pricedMarket).not.toBe('')
  }, 600_000)
  afterAll(async () => {
    await sim?.close()
  })

  it('hot: re-fetches the largest open events and their markets, and upserts only what changed', {
    timeout: 120_000,
  }, async () => {
    sim.updateEvent(world.hotEvent, { volume: 1e9 })
    sim.updateMarket(world.pricedMarket, { outcomePrices: '["0.9", "0.1"]' })
    // Changes outside the hot slice wait for their own pollers.
    sim.updateMarket(world.shortMarket, { endDate: new Date(Date.now() + 30 * 60_000).toISOString() })
    for (const id of world.closedMarkets) sim.closeMarket(id)

    const since = Date.now()
    const result = await sync('--once', '--pollers', 'hot', '--hot-events', '3')
    expect(result.code, result.stderr).toBe(0)
    const upserted = `${world.hotMarkets.length} market${world.hotMarkets.length === 1 ? '' : 's'}, 1 event upserted`
    expect(result.stdout).toMatch(new RegExp(`Z hot: top 3 events by volume · ${upserted} · [\\d.]+ s\\n`))
    expect(result.stdout).toMatch(/Z sync pass complete \(run [\w-]+\)\n$/)
    await withDirectory(async (warehouse) => {
      // The event's volume is embedded in each of its markets: all of them changed.
      expect(await written(warehouse, 'markets', since)).toEqual(world.hotMarkets)
      expect(await written(warehouse, 'events', since)).toEqual([world.hotEvent])
      const [market] = await warehouse.query<{ prices: string[] }>(
        'SELECT arrayMap(p -> toString(p), outcome_prices) AS prices FROM vw_markets WHERE market_id = {id:UInt64}',
        { id: world.pricedMarket },
      )
      expect(market?.prices).toEqual(['0.9', '0.1'])
      const [event] = await warehouse.query<{ volume: string }>(
        'SELECT toString(volume) AS volume FROM events FINAL WHERE event_id = {id:UInt64}',
        { id: world.hotEvent },
      )
      expect(Number(event?.volume)).toBe(1e9)
    })
  })

  it('short: upserts a market that ends within the hour', { timeout: 120_000 }, async () => {
    const since = Date.now()
    const result = await sync('--once', '--pollers', 'short')
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/Z short: 1 market ending within 1 h of now · 1 market upserted · /)
    await withDirectory(async (warehouse) => {
      expect(await written(warehouse, 'markets', since)).toEqual([world.shortMarket])
    })
  })

  it('one pass reflects exactly the changes: resolutions, new fills, wallets that traded in the new blocks', {
    timeout: 300_000,
  }, async () => {
    sim.setTip(undefined)
    const before = await withDirectory((warehouse) =>
      warehouse.query<{ wallet: string; at: string }>(
        'SELECT wallet, toString(positions_snapshot_at) AS at FROM wallets FINAL ORDER BY wallet',
      ),
    )
    const since = Date.now()
    const result = await sync('--once')
    expect(result.code, result.stdout + result.stderr).toBe(0)
    const lines = result.stdout.split('\n')
    const line = (poller: string) => lines.find((text) => text.includes(`Z ${poller}: `)) ?? ''
    expect(line('hot')).toContain('nothing changed')
    expect(line('open')).toContain('nothing changed')
    expect(line('resolution')).toMatch(
      /re-checked 2 markets, \d+ events? no longer listed open · 2 markets closed · /,
    )
    expect(line('short')).toContain('nothing changed')

    // The fills of the blocks the RPC hid, and only those.
    const oldHead = tip - HELD_BACK - CONFIRMATIONS
    const newHead = tip - CONFIRMATIONS
    const newFills = [...sim.truth.fills(oldHead + 1, newHead)]
    expect(newFills.length).toBeGreaterThan(0)
    // Their ERC-1155 transfers too: one row per token id moved.
    const newTransfers = newFills.flatMap((fill) => sim.world.transfers.transfersOf(fill))
    const transferRows = newTransfers.reduce((sum, transfer) => sum + transfer.tokens.length, 0)
    expect(line('chain')).toContain(
      `${newFills.length} new fills · read to block ${newHead.toLocaleString('en-US')} · ${transferRows} new transfer rows`,
    )
    const contracts = new Set<string>([...NON_WALLET_CONTRACTS, ZERO_ADDRESS])
    const traded = [
      ...new Set(
        [
          ...newFills.flatMap((fill) => [fill.maker, fill.taker]),
          ...newTransfers.flatMap((transfer) => [transfer.from, transfer.to]),
        ].filter((wallet) => !contracts.has(wallet)),
      ),
    ].sort()
    expect(traded.length).toBeLessThan(before.length)
    expect(line('wallets')).toContain(
      `${traded.length} wallets with chain activity newer than their positions`,
    )

    await withDirectory(async (warehouse) => {
      expect(await written(warehouse, 'markets', since)).toEqual([...world.closedMarkets].sort())
      expect(await written(warehouse, 'events', since)).toEqual(world.closedEvents)
      const closed = await warehouse.query<{ id: string; closed: boolean; prices: string[] }>(
        `SELECT toString(market_id) AS id, closed, arrayMap(p -> toString(p), outcome_prices) AS prices
         FROM vw_markets WHERE market_id IN {ids:Array(UInt64)} ORDER BY market_id`,
        { ids: world.closedMarkets.map(Number) },
      )
      for (const market of closed) {
        expect(market.closed).toBe(true)
        expect([...market.prices].sort()).toEqual(['0', '1'])
      }
      const [fills] = await warehouse.query<{ total: string; added: string }>(
        `SELECT toString(count()) AS total,
                toString(countIf(_ingested_at >= fromUnixTimestamp64Milli({since:Int64}))) AS added
         FROM chain_fills FINAL`,
        { since },
      )
      expect(Number(fills?.added)).toBe(newFills.length)
      expect(Number(fills?.total)).toBe(
        [...sim.truth.fills(sim.truth.summary().chain.startBlock, newHead)].length,
      )

      const after = await warehouse.query<{ wallet: string; at: string }>(
        'SELECT wallet, toString(positions_snapshot_at) AS at FROM wallets FINAL ORDER BY wallet',
      )
      const earlier = new Map(before.map((row) => [row.wallet, row.at]))
      const refetched = after.filter((row) => earlier.get(row.wallet) !== row.at).map((row) => row.wallet)
      expect(refetched).toEqual(traded)
      // Their new snapshots are complete: every position the Data API shows for them.
      const positions = await warehouse.query<{ wallet: string; n: string }>(
        `SELECT p.wallet AS wallet, toString(count()) AS n
         FROM (SELECT wallet, snapshot_at FROM positions FINAL WHERE wallet IN {wallets:Array(String)}) AS p
         INNER JOIN (SELECT wallet, positions_snapshot_at FROM wallets FINAL) AS w ON p.wallet = w.wallet
         WHERE p.snapshot_at = w.positions_snapshot_at GROUP BY p.wallet ORDER BY p.wallet`,
        { wallets: traded },
      )
      expect(positions).toEqual(
        traded.map((wallet) => ({ wallet, n: String(sim.truth.positions(wallet).length) })),
      )

      const runs = await warehouse.query<{ status: string }>(
        "SELECT toString(status) AS status FROM etl_runs FINAL WHERE command = 'sync' ORDER BY started_at",
      )
      expect(runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded', 'succeeded'])
    })
  })

  it('a pass over an unchanged world upserts nothing', { timeout: 120_000 }, async () => {
    const since = Date.now()
    const result = await sync('--once')
    expect(result.code, result.stderr).toBe(0)
    for (const poller of ['hot', 'open', 'resolution', 'short'])
      expect(result.stdout).toMatch(new RegExp(`Z ${poller}: .* · nothing changed · `))
    expect(result.stdout).toContain('chain: 0 new fills')
    expect(result.stdout).toContain('wallets: 0 wallets with chain activity newer than their positions')
    await withDirectory(async (warehouse) => {
      for (const table of DATA_TABLES) {
        const [row] = await warehouse.query<{ n: string }>(
          `SELECT toString(count()) AS n FROM ${table} WHERE _ingested_at >= fromUnixTimestamp64Milli({since:Int64})`,
          { since },
        )
        expect({ table, rows: Number(row?.n) }).toEqual({ table, rows: 0 })
      }
    })
  })

  it('loops on its cadences until SIGTERM, then exits 130 within 5 s', { timeout: 120_000 }, async () => {
    const child = spawn(
      process.execPath,
      [BIN, '--data-dir', dataDir, 'sync', '--hot-interval', '1s', '--short-interval', '2s'],
      { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    const hotPolls = () => output.match(/Z hot: /g)?.length ?? 0
    for (let i = 0; i < 1_200 && hotPolls() < 3; i++) await new Promise((resolve) => setTimeout(resolve, 50))
    expect(hotPolls()).toBeGreaterThanOrEqual(3)
    expect(output).toMatch(
      /sync \(run [\w-]+\): hot every 1s, open every 5m, resolution every 5m, short every 2s, chain every 1m, wallets every 5m\n/,
    )
    const sent = Date.now()
    child.kill('SIGTERM')
    expect(await exit).toBe(130)
    expect(Date.now() - sent).toBeLessThan(EXIT_WITHIN_MS)
    expect(output).toMatch(/WARN SIGTERM: finishing in-flight units/)
    expect(output).toMatch(/WARN stopped after \d+ polls: what was fetched is committed\n$/)
    const [run] = await withDirectory((warehouse) =>
      warehouse.query<{ status: string; polls: string }>(
        `SELECT toString(status) AS status, toString(counts['hot.polls']) AS polls
         FROM etl_runs FINAL WHERE command = 'sync' ORDER BY started_at DESC LIMIT 1`,
      ),
    )
    expect(run?.status).toBe('interrupted')
    expect(Number(run?.polls)).toBeGreaterThanOrEqual(3)
  })

  it('refuses bad flags with exit code 2, naming the flag and an example', { timeout: 60_000 }, async () => {
    const interval = await sync('--hot-interval', 'banana')
    expect(interval.code).toBe(2)
    expect(interval.stderr).toBe(
      'polyhouse: --hot-interval banana is not a duration; give a number and a unit (h, m, s), e.g. --hot-interval 30s\n',
    )
    const poller = await sync('--once', '--pollers', 'hot,prices')
    expect(poller.code).toBe(2)
    expect(poller.stderr).toBe(
      "polyhouse: unknown poller 'prices'; pollers are hot, open, resolution, short, chain, wallets, e.g. --pollers hot,open\n",
    )
    const events = await sync('--once', '--hot-events', 'many')
    expect(events.code).toBe(2)
    expect(events.stderr).toContain('--hot-events many is not a whole number')
  })
})
