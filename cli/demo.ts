// `backfill --simulate [SIZE]`: the bundled simulator stands in for Polymarket and Polygon (the
// demo, and any machine that cannot reach them); the steps find it through the usual URL variables.
import { UsageError } from '../core/errors.ts'
import { runQuery } from '../load/query.ts'
import type { Warehouse } from '../load/warehouse.ts'

/** Sizes of the demo world: large enough to show every step at work, small enough for minutes. */
const DEMO_SCALES = {
  small: { markets: 2_000, wallets: 200, fills: 20_000, blocks: 200_000 },
  medium: { markets: 20_000, wallets: 2_000, fills: 200_000, blocks: 2_000_000 },
} as const

export type DemoScale = (typeof DEMO_SCALES)[keyof typeof DEMO_SCALES]

/** Stand-ins for the simulator's URLs while the flags are checked, before it listens. */
export const SIMULATED_SOURCES = {
  GAMMA_URL: 'http://127.0.0.1',
  DATA_API_URL: 'http://127.0.0.1',
  POLYGON_RPC_URL: 'http://127.0.0.1',
}

export function demoScale(scale: string | boolean): DemoScale {
  const name = scale === true ? 'small' : scale
  const size = DEMO_SCALES[name as keyof typeof DEMO_SCALES]
  if (!size)
    throw new UsageError(`--simulate ${name} is not a demo size`, {
      hint: `use ${Object.keys(DEMO_SCALES).join(' or ')}`,
    })
  return size
}

export async function startDemoSimulator(size: DemoScale) {
  const { startSimulator } = await import('../simulator/index.ts')
  const sim = await startSimulator({ seed: 'demo', ...size, latency: { baseMs: 20, jitterMs: 10 } })
  for (const [name, value] of Object.entries(sim.env)) process.env[name] = value
  process.stderr.write(
    `polyhouse: simulating Polymarket (${size.markets.toLocaleString('en-US')} markets, ${size.wallets.toLocaleString('en-US')} wallets, ${size.fills.toLocaleString('en-US')} fills) at ${sim.gammaUrl}, ${sim.dataApiUrl}, ${sim.rpcUrl}\n`,
  )
  return sim
}

/** After a demo: what an analyst would look at first. */
export async function printSample(warehouse: Warehouse): Promise<void> {
  const views = await warehouse.query<{ name: string }>(
    "SELECT name FROM system.tables WHERE database = currentDatabase() AND name = 'vw_trades_unified'",
  )
  const sql = views.length
    ? `SELECT source, side, shares, price, substring(question, 1, 40) AS question, outcome, time
       FROM vw_trades_unified
       WHERE wallet = (SELECT wallet FROM vw_trades_unified WHERE source = 'blockchain' GROUP BY wallet ORDER BY count() DESC LIMIT 1)
       ORDER BY source, time DESC LIMIT 5 BY source`
    : 'SELECT market_id, substring(question, 1, 50) AS question, event_title, volume FROM vw_markets ORDER BY volume DESC LIMIT 10'
  process.stdout.write(
    `\n${views.length ? 'vw_trades_unified for the most active wallet, both sources' : 'vw_markets'}, a sample:\n`,
  )
  process.stdout.write(await runQuery(warehouse, sql, [], 'table'))
}
