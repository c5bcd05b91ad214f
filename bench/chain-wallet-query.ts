// How long one wallet's `SELECT * FROM vw_trades_unified WHERE wallet = …` takes on 10,000,000 fills,
// in the embedded warehouse. The data is generated in SQL (the point is the query, not the load):
// 150,000 markets (the simulated night's count) with ~2.5 outcome tokens each, 50,000 wallets whose
// fill counts are skewed (a few whales, a long tail), ~20 Data API positions per wallet.
// Prints p50/p95 over random wallets; never fails on time.
//
//   npx tsx bench/chain-wallet-query.ts [--fills 10000000] [--wallets 50000] [--markets 150000] [--queries 200]
import os from 'node:os'
import { parseArgs } from 'node:util'
import { openBenchWarehouse } from './shared/warehouse.ts'

const { values } = parseArgs({
  options: {
    fills: { type: 'string', default: '10000000' },
    wallets: { type: 'string', default: '50000' },
    markets: { type: 'string', default: '150000' },
    queries: { type: 'string', default: '200' },
    keep: { type: 'boolean', default: false },
  },
})
const fills = Number(values.fills)
const wallets = Number(values.wallets)
const markets = Number(values.markets)
const queries = Number(values.queries)
const INSERT_ROWS = 1_000_000

const { warehouse, remove } = await openBenchWarehouse('polyhouse-wallet-bench-')

const wallet = (expr: string) => `concat('0x', leftPad(lower(hex(${expr})), 40, '0'))`
const token = (expr: string) =>
  `toUInt256(cityHash64(${expr}, 'token')) * toUInt256('1000000000000000000000000000000000000000000000000000000000')`
const tokens = `(${markets} * 5 / 2)`

async function timed(label: string, sql: string): Promise<void> {
  const started = performance.now()
  await warehouse.command(sql)
  console.log(`  ${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

console.log('loading…')
await timed(
  'markets',
  `INSERT INTO markets (market_id, condition_id, slug, question, event_id, event_title, tags, _run_id)
   SELECT number + 1, concat('0x', lower(hex(cityHash64(number, 'condition'))), repeat('0', 48)),
          concat('will-it-happen-', toString(number)), concat('Will event ', toString(number), ' happen by the end of the year?'),
          intDiv(number, 4) + 1, concat('Event ', toString(intDiv(number, 4))),
          [concat('topic-', toString(number % 40)), concat('series-', toString(number % 700))], 'bench'
   FROM numbers(${markets})`,
)
// Events carry tags of their own (and Gamma's category on older ones): what the views add to a trade.
await timed(
  'events',
  `INSERT INTO events (event_id, slug, title, tags, raw, _run_id)
   SELECT number + 1, concat('event-', toString(number)), concat('Event ', toString(number)),
          ['politics', concat('region-', toString(number % 12))],
          if(number % 3 = 0, '{"category":"US-current-affairs"}', '{}'), 'bench'
   FROM numbers(intDiv(${markets} + 3, 4))`,
)
await timed(
  'market_tokens',
  `INSERT INTO market_tokens (token_id, condition_id, market_id, outcome_index, outcome, _run_id)
   SELECT ${token('number')}, concat('0x', lower(hex(cityHash64(intDiv(number * 2, 5), 'condition'))), repeat('0', 48)),
          intDiv(number * 2, 5) + 1, number % 2, if(number % 2 = 0, 'Yes', 'No'), 'bench'
   FROM numbers(toUInt64(${tokens}))`,
)
for (let offset = 0; offset < fills; offset += INSERT_ROWS) {
  const rows = Math.min(INSERT_ROWS, fills - offset)
  // Wallet of fill n: floor(W · u²), u uniform — about 1% of wallets hold a tenth of the fills.
  await timed(
    `chain_fills ${offset + rows}`,
    `INSERT INTO chain_fills (block_number, log_index, tx_hash, block_hash, block_time, exchange, exchange_version, order_hash,
                              maker, taker, side, token_id, maker_asset_id, taker_asset_id, maker_amount_filled,
                              taker_amount_filled, fee, builder, metadata, _run_id)
     SELECT 33605403 + intDiv(n, 5), (n % 5) * 4 + 3, concat('0x', lower(hex(cityHash64(n, 'tx'))), repeat('1', 48)),
            concat('0x', lower(hex(cityHash64(intDiv(n, 5), 'block'))), repeat('2', 48)), toDateTime(1664100000 + intDiv(n, 5) * 2),
            if(n % 2 = 0, '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e', '0xe111180000d2663c0091e4f400237545b87b996b'), 1 + n % 2,
            concat('0x', lower(hex(cityHash64(n, 'order'))), repeat('3', 48)),
            ${wallet(`toUInt64(floor(${wallets} * pow(cityHash64(n, 'w') / 18446744073709551615, 2)))`)},
            if(n % 2 = 1, '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e', ${wallet(`cityHash64(n, 'taker') % ${wallets}`)}),
            if(cityHash64(n, 'side') % 2 = 0, 'BUY', 'SELL'), ${token(`cityHash64(n, 'tok') % toUInt64(${tokens})`)}, 0, 0,
            1000000 + cityHash64(n, 'a') % 100000000, 1000000 + cityHash64(n, 'b') % 100000000, cityHash64(n, 'fee') % 10000, '', '', 'bench'
     FROM (SELECT number + ${offset} AS n FROM numbers(${rows}))`,
  )
}
await timed(
  'wallets',
  `INSERT INTO wallets (wallet, source, positions_snapshot_at, positions_count, _run_id)
   SELECT ${wallet('number')}, 'chain', now64(3), 20, 'bench' FROM numbers(${wallets})`,
)
await timed(
  'positions',
  `INSERT INTO positions (wallet, token_id, condition_id, outcome, outcome_index, size, avg_price, snapshot_at, raw, _run_id)
   SELECT ${wallet('intDiv(number, 20)')}, ${token(`cityHash64(number, 'ptok') % toUInt64(${tokens})`)}, '', 'Yes', 0,
          toDecimal64(cityHash64(number) % 1000000, 6), toDecimal128(0.5, 18), (SELECT max(positions_snapshot_at) FROM wallets), '{}', 'bench'
   FROM numbers(${wallets * 20})`,
)

await warehouse.command('SYSTEM RELOAD DICTIONARY token_markets')
const sample = await warehouse.query<{ wallet: string }>(
  `SELECT ${wallet(`cityHash64(number, 'pick') % ${wallets}`)} AS wallet FROM numbers(${queries})`,
)

async function measure(
  label: string,
  sql = 'SELECT * FROM vw_trades_unified WHERE wallet = {wallet:String}',
): Promise<void> {
  const latencies: number[] = []
  let rows = 0
  for (const { wallet: address } of sample) {
    const started = performance.now()
    const result = await warehouse.query(sql, { wallet: address })
    latencies.push(performance.now() - started)
    rows += result.length
  }
  latencies.sort((a, b) => a - b)
  const at = (q: number) =>
    (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] as number).toFixed(1)
  console.log(
    `${label}: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms over ${latencies.length} wallets (${Math.round(rows / latencies.length)} rows per wallet on average)`,
  )
}

const [parts] = await warehouse.query<{ parts: string }>(
  `SELECT toString(count()) AS parts FROM system.parts WHERE active AND table IN ('chain_fills_by_wallet')`,
)
console.log(
  `machine: ${os.cpus()[0]?.model} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; load average ${os.loadavg()[0]?.toFixed(2)}`,
)
console.log(
  `${fills.toLocaleString('en-US')} fills, ${wallets.toLocaleString('en-US')} wallets, ${markets.toLocaleString('en-US')} markets; chain_fills_by_wallet in ${parts?.parts} parts`,
)
await measure('vw_trades_unified WHERE wallet = …, as loaded')
if (process.env.PARTS) {
  await measure('  canonical only', 'SELECT * FROM vw_trades_canonical WHERE wallet = {wallet:String}')
  await measure(
    '  by_wallet FINAL only',
    'SELECT * FROM chain_fills_by_wallet FINAL WHERE maker = {wallet:String}',
  )
  await measure('  by_wallet no FINAL', 'SELECT * FROM chain_fills_by_wallet WHERE maker = {wallet:String}')
  await measure(
    '  positions part',
    'SELECT * FROM positions AS p FINAL INNER JOIN wallets AS w FINAL ON w.wallet = p.wallet WHERE p.wallet = {wallet:String}',
  )
  await measure('  SELECT 1', 'SELECT {wallet:String}')
}
await warehouse.command('OPTIMIZE TABLE chain_fills_by_wallet FINAL')
await warehouse.command('OPTIMIZE TABLE market_tokens FINAL')
await warehouse.command('OPTIMIZE TABLE markets FINAL')
await measure('after OPTIMIZE … FINAL (merged)')
const [plan] = await warehouse.query<{ explain: string }>(
  `SELECT arrayStringConcat(groupArray(explain), '\n') AS explain FROM (EXPLAIN indexes = 1 SELECT * FROM vw_trades_unified WHERE wallet = '${sample[0]?.wallet}')`,
)
if (process.env.EXPLAIN) console.log(plan?.explain)
await warehouse.close()
if (!values.keep) remove()
