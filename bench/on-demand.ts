// On-demand fetches: what `polyhouse market` and `polyhouse wallet` cost beyond the API's
// own latency, measured in one process on a migrated embedded warehouse against the simulator with
// no latency and no rate limits — so each call's time is an upper bound on polyhouse's overhead
// (local HTTP, validation, the upsert and its checkpoint). Process start-up is not included (that
// is node + tsx + the engine: bench/migrate-noop.ts). Prints p50/p95/max; never fails on time.
//
//   npx tsx bench/on-demand.ts [--calls 100]
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { createHttpClient } from '../extract/http/client.ts'
import { openWarehouse } from '../load/warehouse.ts'
import { startSimulator } from '../simulator/index.ts'
import { fetchMarketNow, fetchWalletNow } from '../steps/on-demand.ts'
import { machineLine } from './machine.ts'
import { stepContext } from './shared/step-context.ts'

const { values } = parseArgs({ options: { calls: { type: 'string', default: '100' } } })
const calls = Number(values.calls)

const sim = await startSimulator({
  seed: 'on-demand',
  markets: 5_000,
  wallets: 500,
  fills: 20_000,
  rateLimits: false,
})
const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'polyhouse-on-demand-')), 'warehouse')
const warehouse = await openWarehouse({ kind: 'embedded', dataDir })
const context = await stepContext(warehouse)
const http = createHttpClient()
console.log(machineLine())
console.log(`load average at start ${os.loadavg()[0]?.toFixed(2)}; simulator latency 0, no rate limits`)

const pick = <T>(items: T[], n: number) =>
  Array.from({ length: n }, (_, i) => items[Math.floor(((i + 0.5) * items.length) / n)] as T)
const markets = pick(
  [...sim.truth.markets()].filter((market) => !market.drifted).map((market) => market.id),
  calls,
)
const wallets = pick(sim.truth.wallets(), calls)

async function timed(label: string, items: string[], call: (item: string) => Promise<unknown>) {
  await call(items[0] as string) // warm-up: first query plans, connections
  const times: number[] = []
  for (const item of items) {
    const started = performance.now()
    await call(item)
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  const at = (p: number) => (times[Math.min(times.length - 1, Math.floor(times.length * p))] ?? 0).toFixed(1)
  console.log(`${label}: ${times.length} calls, p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`)
}

await timed(
  'polyhouse market <id> (fetch, validate, change test, upsert with tokens and tags)',
  markets,
  (id) => fetchMarketNow(context, { http, gammaUrl: sim.gammaUrl }, { kind: 'id', id }),
)
await timed('polyhouse wallet <address> (every page, snapshot and checkpoint)', wallets, (wallet) =>
  fetchWalletNow(context, { http, dataApiUrl: sim.dataApiUrl }, wallet),
)
await http.close()
await warehouse.close()
await sim.close()
fs.rmSync(path.dirname(dataDir), { recursive: true, force: true })
