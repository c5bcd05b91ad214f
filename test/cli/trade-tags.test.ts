// Tags on trades, as an analyst uses them: after `polyhouse backfill --steps markets,chain` against
// the simulator, every blockchain row of vw_trades_unified carries the tag slugs Gamma serves for its
// market and for the market's event (read back over HTTP, as a client would), and the README's
// queries by tag run as written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Simulator, startSimulator } from '../../simulator/index.ts'
import { runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/warehouse.ts'

describe('tags in vw_trades_unified', () => {
  let sim: Simulator
  let env: NodeJS.ProcessEnv
  let dataDir: string

  async function query<T>(sql: string, ...params: string[]): Promise<T[]> {
    const result = await runCli(
      ['--data-dir', dataDir, 'query', sql, ...params.flatMap((param) => ['-p', param]), '--format', 'json'],
      env,
    )
    expect(result.stderr).toBe('')
    return JSON.parse(result.stdout) as T[]
  }

  /** The tag slugs Gamma serves for a record: `/markets?id=…&include_tag=true` lists a market's, `/events/{id}` an event's. */
  async function gammaTags(path: string): Promise<string[]> {
    const response = await fetch(`${sim.env.GAMMA_URL}${path}`)
    expect(response.status).toBe(200)
    const body = (await response.json()) as { tags?: { slug: string }[] } | { tags?: { slug: string }[] }[]
    const record = Array.isArray(body) ? body[0] : body
    return (record?.tags ?? []).map((tag) => tag.slug)
  }

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 'trade-tags',
      markets: 80,
      wallets: 12,
      fills: 800,
      blocks: 4_000,
      rateLimits: false,
      latency: { baseMs: 1, jitterMs: 1 },
    })
    env = { ...sim.env, POLYHOUSE_RATE: 'gamma=400/s,rpc=2000/s' }
    dataDir = `${tempDir()}/warehouse`
    const backfill = await runCli(['--data-dir', dataDir, 'backfill', '--steps', 'markets,chain'], env)
    expect(backfill.code).toBe(0)
  }, 600_000)
  afterAll(async () => {
    await sim?.close()
  })

  it('carries the market’s and its event’s tags on every trade', { timeout: 120_000 }, async () => {
    const wallet = sim.truth.wallets()[3] as string
    const trades = await query<{ market_id: string; tags: string[]; category: string }>(
      `SELECT DISTINCT toString(market_id) AS market_id, tags, category FROM vw_trades_unified
       WHERE wallet = {w:String} AND source = 'blockchain' ORDER BY market_id`,
      `w=${wallet}`,
    )
    expect(trades.length).toBeGreaterThan(0)
    const events = new Map([...sim.truth.markets()].map((market) => [market.id, market.eventId]))
    for (const trade of trades) {
      const market = await gammaTags(`/markets?id=${trade.market_id}&include_tag=true`)
      const eventId = events.get(trade.market_id)
      const event = eventId ? await gammaTags(`/events/${eventId}`) : []
      expect({ market: trade.market_id, tags: [...trade.tags].sort() }).toEqual({
        market: trade.market_id,
        tags: [...new Set([...market, ...event])].sort(),
      })
      // The simulator serves no `category` (Gamma's older records do: test/steps/chain/views.test.ts).
      expect(trade.category).toBe('')
    }
    expect(trades.some((trade) => trade.tags.length > 0)).toBe(true)
  })

  it('answers the README’s queries by tag', { timeout: 120_000 }, async () => {
    const wallet = sim.truth.wallets()[3] as string
    const byTag = await query<{ tag: string; trades: string; usdc: string }>(
      `SELECT arrayJoin(tags) AS tag, count() AS trades, sum(shares * price) AS usdc
       FROM vw_trades_unified WHERE source = 'blockchain' AND wallet = {w:String} GROUP BY tag ORDER BY usdc DESC`,
      `w=${wallet}`,
    )
    expect(byTag.length).toBeGreaterThan(0)
    const [top] = byTag
    const tagged = await query<{ n: string }>(
      `SELECT toString(count()) AS n FROM vw_trades_unified
       WHERE source = 'blockchain' AND wallet = {w:String} AND has(tags, {tag:String})`,
      `w=${wallet}`,
      `tag=${top?.tag}`,
    )
    expect(tagged).toEqual([{ n: top?.trades }])
    const labels = await query<{ slug: string; label: string }>(
      'SELECT slug, label FROM tags FINAL ORDER BY slug',
    )
    expect(labels.map((tag) => tag.slug)).toContain(top?.tag)
  })
})
