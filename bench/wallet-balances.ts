// Balances from 10,000,000 ERC-1155 transfers in the embedded warehouse: how long
// vw_wallet_balances takes for all wallets and its peak memory, one wallet's p50/p95, and the same
// reads without the per-wallet leg table (straight from chain_transfers, ordered by block) to show
// what chain_transfers_by_wallet buys. The transfers are generated in SQL (the point is the reads,
// not the load): wallets with skewed activity (a few whales, a long tail), splits from the zero
// address, fills through an exchange, transfers between wallets, merges back to the zero address.
// Prints figures; never fails on time.
//
//   npx tsx bench/wallet-balances.ts [--transfers 10000000] [--wallets 50000] [--tokens 300000] [--queries 200]
import os from 'node:os'
import { parseArgs } from 'node:util'
import { machineLine } from './machine.ts'
import { openBenchWarehouse } from './shared/warehouse.ts'

const { values } = parseArgs({
  options: {
    transfers: { type: 'string', default: '10000000' },
    wallets: { type: 'string', default: '50000' },
    tokens: { type: 'string', default: '300000' },
    queries: { type: 'string', default: '200' },
    keep: { type: 'boolean', default: false },
  },
})
const transfers = Number(values.transfers)
const wallets = Number(values.wallets)
const tokens = Number(values.tokens)
const queries = Number(values.queries)
const INSERT_ROWS = 1_000_000
const EXCHANGE = '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e'
const ZERO = '0x0000000000000000000000000000000000000000'

const { warehouse, remove } = await openBenchWarehouse('polyhouse-balances-bench-')
console.log(machineLine())
console.log(`load average at start ${os.loadavg()[0]?.toFixed(2)}`)

// Wallet of row n: a skewed draw (the square of a uniform number puts most rows on few wallets).
const walletOf = (salt: string) =>
  `concat('0x', lower(hex(toFixedString(substring(unhex(hex(SHA256(toString(toUInt64(pow(cityHash64(n, '${salt}') % 1000000 / 1000000, 2) * ${wallets}))))), 1, 20), 20))))`
const loadStarted = performance.now()
for (let offset = 0; offset < transfers; offset += INSERT_ROWS) {
  const rows = Math.min(INSERT_ROWS, transfers - offset)
  // Kinds by n % 10: 0–1 split (zero → wallet), 2–5 fill delivery (exchange → wallet),
  // 6–7 fill sale (wallet → exchange), 8 plain transfer (wallet → wallet), 9 merge (wallet → zero).
  await warehouse.command(
    `INSERT INTO chain_transfers (block_number, log_index, batch_index, tx_hash, block_hash, block_time, event,
                                  operator, from_address, to_address, token_id, amount, _run_id)
     SELECT 33605403 + intDiv(n, 20), n % 20, 0, lower(hex(SHA256(toString(n)))), lower(hex(SHA256(toString(intDiv(n, 20))))),
            toDateTime(1664100000 + intDiv(n, 20) * 2), 'TransferSingle',
            ${walletOf('a')},
            multiIf(n % 10 < 2, '${ZERO}', n % 10 < 6, '${EXCHANGE}', ${walletOf('a')}),
            multiIf(n % 10 < 2, ${walletOf('a')}, n % 10 < 6, ${walletOf('a')}, n % 10 < 8, '${EXCHANGE}',
                    n % 10 = 8, ${walletOf('b')}, '${ZERO}'),
            toUInt256(cityHash64(n, 't') % ${tokens}) * 1000003 + 77,
            toUInt256(10000 * (1 + cityHash64(n, 'v') % 100000)),
            'bench'
     FROM (SELECT number + ${offset} AS n FROM numbers(${rows}))`,
  )
}
const loadSeconds = (performance.now() - loadStarted) / 1000
const [counts] = await warehouse.query<{ transfers: string; legs: string; holders: string }>(
  `SELECT toString((SELECT count() FROM chain_transfers)) AS transfers,
          toString((SELECT count() FROM chain_transfers_by_wallet)) AS legs,
          toString((SELECT uniqExact(wallet) FROM chain_transfers_by_wallet)) AS holders`,
)
console.log(
  `loaded ${Number(counts?.transfers).toLocaleString('en-US')} transfers → ${Number(counts?.legs).toLocaleString('en-US')} legs, ${Number(counts?.holders).toLocaleString('en-US')} addresses, in ${loadSeconds.toFixed(0)} s (generation in SQL)`,
)

/**
 * Wall time of one query and the process's peak RSS while it ran (the engine runs in this process;
 * RSS sampled every 10 ms), beside the RSS just before it.
 */
async function measured(sql: string): Promise<{ ms: number; before: number; peak: number }> {
  const before = process.memoryUsage().rss
  let peak = before
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 10)
  const started = performance.now()
  await warehouse.query(sql)
  const ms = performance.now() - started
  clearInterval(sampler)
  return { ms, before, peak: Math.max(peak, process.memoryUsage().rss) }
}

const mib = (bytes: number | undefined) =>
  bytes === undefined ? 'n/a' : `${(bytes / 2 ** 20).toFixed(0)} MiB`
const all = 'SELECT count() AS n, sum(balance) AS shares FROM vw_wallet_balances'
const allRuns = []
for (let i = 0; i < 3; i++) allRuns.push(await measured(all))
const [summary] = await warehouse.query<{ n: string }>(
  'SELECT toString(count()) AS n FROM vw_wallet_balances',
)
console.log(
  `all wallets' balances (vw_wallet_balances, ${Number(summary?.n).toLocaleString('en-US')} non-zero rows): ${allRuns.map((run) => `${(run.ms / 1000).toFixed(2)} s`).join(', ')} (three runs); process RSS ${allRuns.map((run) => `${mib(run.before)} → peak ${mib(run.peak)}`).join(', ')}`,
)

// Without the leg table: the legs built from chain_transfers itself (ordered by block), FINAL.
const fromStaging = `
SELECT wallet, token_id, sum(delta) AS units FROM (
  SELECT from_address AS wallet, token_id, -toInt128(amount) AS delta FROM chain_transfers FINAL
  UNION ALL
  SELECT to_address AS wallet, token_id, toInt128(amount) AS delta FROM chain_transfers FINAL)
WHERE wallet != '${ZERO}' AND wallet != '${EXCHANGE}' {filter}
GROUP BY wallet, token_id HAVING units != 0`
const staging = await measured(`SELECT count(), sum(units) FROM (${fromStaging.replace('{filter}', '')})`)
console.log(
  `  the same from chain_transfers (no leg table): ${(staging.ms / 1000).toFixed(2)} s, process RSS ${mib(staging.before)} → peak ${mib(staging.peak)}`,
)

const sample = await warehouse.query<{ wallet: string }>(
  `SELECT wallet FROM (SELECT DISTINCT wallet FROM chain_transfers_by_wallet WHERE wallet NOT IN ('${ZERO}', '${EXCHANGE}'))
   ORDER BY cityHash64(wallet) LIMIT ${queries}`,
)
async function latencies(sql: (wallet: string) => string): Promise<number[]> {
  const times: number[] = []
  for (const { wallet } of sample) {
    const started = performance.now()
    await warehouse.query(sql(wallet))
    times.push(performance.now() - started)
  }
  return times.sort((a, b) => a - b)
}
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0
const one = await latencies((wallet) => `SELECT * FROM vw_wallet_balances WHERE wallet = '${wallet}'`)
console.log(
  `one wallet's balances (SELECT * FROM vw_wallet_balances WHERE wallet = …, ${sample.length} random wallets): p50 ${pct(one, 0.5).toFixed(1)} ms, p95 ${pct(one, 0.95).toFixed(1)} ms, max ${pct(one, 1).toFixed(1)} ms`,
)
const oneStaging = await latencies((wallet) => fromStaging.replace('{filter}', `AND wallet = '${wallet}'`))
console.log(
  `  the same from chain_transfers (no leg table): p50 ${pct(oneStaging, 0.5).toFixed(1)} ms, p95 ${pct(oneStaging, 0.95).toFixed(1)} ms`,
)
await warehouse.close()
if (!values.keep) remove()
