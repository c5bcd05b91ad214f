// How long the analysts' questions take on 10,000,000 fills, in the embedded warehouse: the leaderboard
// (`SELECT * FROM vw_wallet_pnl ORDER BY total_pnl DESC LIMIT 100`), the refresh of its snapshot that
// the views step pays at the end of a backfill (steps/pnl/snapshot.ts: vw_position_pnl folded for
// every wallet), one wallet's vw_position_pnl, and candles of one token (vw_candles_1m/1h/1d WHERE
// token_id = …). The fills are generated in SQL and inserted as the chain step would, through
// chain_fills' materialized views (so chain_candle_blocks is fed at insert, sql/041); the point is
// the queries, not the load (bench/chain-ingest.ts measures that). Also prints whether the candles'
// totals equal the taker legs summed straight from chain_fills: they must, however the engine cut the
// inserts into blocks. Prints p50/p95; never fails on time.
//
//   npx tsx bench/analytics-query.ts [--fills 10000000] [--wallets 50000] [--markets 150000] [--queries 50]
//
// Shape: 5 fills a block, a block every 2 s (Polygon); every other fill is a taker leg (taker = the
// exchange). Wallets and tokens are skewed (floor(N·u²) and floor(N·u³), u uniform): a few whales and
// a few busy markets, long tails of both. Prices 0.001–0.999 USDC per share, 1–101 shares a fill.
import os from 'node:os'
import { parseArgs } from 'node:util'
import { refreshWalletPnl } from '../steps/pnl/snapshot.ts'
import { openBenchWarehouse } from './shared/warehouse.ts'

const { values } = parseArgs({
  options: {
    fills: { type: 'string', default: '10000000' },
    wallets: { type: 'string', default: '50000' },
    markets: { type: 'string', default: '150000' },
    queries: { type: 'string', default: '50' },
    keep: { type: 'boolean', default: false },
  },
})
const fills = Number(values.fills)
const wallets = Number(values.wallets)
const markets = Number(values.markets)
const queries = Number(values.queries)
/** Rows per INSERT … SELECT, as the chain step's commits are of the order of COMMIT_ROWS. */
const INSERT_ROWS = 1_000_000

const { warehouse, remove } = await openBenchWarehouse('polyhouse-analytics-bench-')

const EXCHANGE = '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e'
const wallet = (expr: string) => `concat('0x', leftPad(lower(hex(${expr})), 40, '0'))`
const tokens = Math.round((markets * 5) / 2)
const token = (expr: string) =>
  `toUInt256(cityHash64(${expr}, 'token')) * toUInt256('1000000000000000000000000000000000000000000000000000000000')`
const uniform = (n: string, salt: string) => `(cityHash64(${n}, '${salt}') / 18446744073709551615)`

async function timed(label: string, sql: string): Promise<number> {
  const started = performance.now()
  await warehouse.command(sql)
  const seconds = (performance.now() - started) / 1000
  console.log(`  ${label}: ${seconds.toFixed(1)} s`)
  return seconds
}

console.log('loading…')
await timed(
  'markets',
  `INSERT INTO markets (market_id, condition_id, slug, question, event_id, event_title, _run_id)
   SELECT number + 1, concat('0x', lower(hex(cityHash64(number, 'condition'))), repeat('0', 48)),
          concat('will-it-happen-', toString(number)), concat('Will event ', toString(number), ' happen?'),
          intDiv(number, 4) + 1, concat('Event ', toString(intDiv(number, 4))), 'bench'
   FROM numbers(${markets})`,
)
await timed(
  'market_tokens',
  `INSERT INTO market_tokens (token_id, condition_id, market_id, outcome_index, outcome, _run_id)
   SELECT ${token('number')}, concat('0x', lower(hex(cityHash64(intDiv(number * 2, 5), 'condition'))), repeat('0', 48)),
          intDiv(number * 2, 5) + 1, number % 2, if(number % 2 = 0, 'Yes', 'No'), 'bench'
   FROM numbers(${tokens})`,
)
let loadSeconds = 0
for (let offset = 0; offset < fills; offset += INSERT_ROWS) {
  const rows = Math.min(INSERT_ROWS, fills - offset)
  loadSeconds += await timed(
    `chain_fills ${(offset + rows).toLocaleString('en-US')}`,
    `INSERT INTO chain_fills (block_number, log_index, tx_hash, block_hash, block_time, exchange, exchange_version, order_hash,
                              maker, taker, side, token_id, maker_asset_id, taker_asset_id, maker_amount_filled,
                              taker_amount_filled, fee, builder, metadata, _run_id)
     SELECT block, (n % 5) * 4 + 3, concat('0x', lower(hex(cityHash64(n, 'tx'))), repeat('1', 48)),
            concat('0x', lower(hex(cityHash64(block, 'block'))), repeat('2', 48)), toDateTime(1664100000 + (block - 33605403) * 2),
            '${EXCHANGE}', 1, concat('0x', lower(hex(cityHash64(n, 'order'))), repeat('3', 48)),
            ${wallet(`toUInt64(floor(${wallets} * pow(${uniform('n', 'w')}, 2)))`)},
            if(n % 2 = 1, '${EXCHANGE}', ${wallet(`cityHash64(n, 'taker') % ${wallets}`)}),
            side, ${token(`toUInt64(floor(${tokens} * pow(${uniform('n', 'tok')}, 3)))`)}, 0, 0,
            if(side = 'BUY', collateral, shares), if(side = 'BUY', shares, collateral), 0, '', '', 'bench'
     FROM
     (
         SELECT n, 33605403 + intDiv(n, 5) AS block, if(cityHash64(n, 'side') % 2 = 0, 'BUY', 'SELL') AS side,
                1000000 + cityHash64(n, 'shares') % 100000000 AS shares,
                intDiv(shares * (1 + cityHash64(n, 'price') % 999), 1000) AS collateral
         FROM (SELECT number + ${offset} AS n FROM numbers(${rows}))
     )`,
  )
}
const refresh = await refreshWalletPnl(warehouse)
console.log(
  `  leaderboard snapshot refresh (vw_position_pnl of every wallet): ${refresh.seconds.toFixed(1)} s, ${refresh.wallets.toLocaleString('en-US')} wallets, ${refresh.positions.toLocaleString('en-US')} positions`,
)

const sampleWallets = await warehouse.query<{ value: string }>(
  `SELECT ${wallet(`toUInt64(floor(${wallets} * pow(${uniform('number', 'pick')}, 2)))`)} AS value FROM numbers(${queries})`,
)
const sampleTokens = await warehouse.query<{ value: string }>(
  `SELECT toString(${token(`toUInt64(floor(${tokens} * pow(${uniform('number', 'tpick')}, 3)))`)}) AS value FROM numbers(${queries})`,
)
const [busiest] = await warehouse.query<{ value: string; matches: string }>(
  `SELECT toString(token_id) AS value, toString(sum(trades)) AS matches FROM chain_candle_blocks FINAL
   GROUP BY token_id ORDER BY sum(trades) DESC LIMIT 1`,
)

async function measure(label: string, sql: string, params: { value: string }[]): Promise<void> {
  const latencies: number[] = []
  let rows = 0
  for (const { value } of params) {
    const started = performance.now()
    const result = await warehouse.query(sql, { value })
    latencies.push(performance.now() - started)
    rows += result.length
  }
  latencies.sort((a, b) => a - b)
  const at = (q: number) =>
    (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] as number).toFixed(1)
  console.log(
    `${label}: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms over ${latencies.length} queries (${Math.round(rows / latencies.length)} rows each on average)`,
  )
}

// The candles' totals against the taker legs summed straight from chain_fills.
const scalar = async (sql: string) =>
  (await warehouse.query<{ value: string }>(`SELECT toString((${sql})) AS value`))[0]?.value
const TAKER_COLLATERAL = "if(side = 'BUY', maker_amount_filled, taker_amount_filled)"
const check = {
  candle_volume: await scalar('SELECT sum(volume) FROM vw_candles_1d'),
  candle_trades: await scalar('SELECT sum(trades) FROM vw_candles_1d'),
  fill_volume: await scalar(
    `SELECT CAST(sum(toDecimal128(${TAKER_COLLATERAL}, 6) / 1000000) AS Decimal(38, 6)) FROM chain_fills FINAL WHERE taker = '${EXCHANGE}'`,
  ),
  fill_trades: await scalar(`SELECT count() FROM chain_fills FINAL WHERE taker = '${EXCHANGE}'`),
  block_rows: await scalar('SELECT count() FROM chain_candle_blocks FINAL'),
}

console.log(
  `machine: ${os.cpus()[0]?.model} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; load average ${os.loadavg()[0]?.toFixed(2)}`,
)
console.log(
  `${fills.toLocaleString('en-US')} fills (${Math.round(fills / loadSeconds).toLocaleString('en-US')}/s by INSERT … SELECT with its materialized views), ${wallets.toLocaleString('en-US')} wallets, ${markets.toLocaleString('en-US')} markets; chain_candle_blocks ${Number(check?.block_rows).toLocaleString('en-US')} rows`,
)
const agree = check?.candle_volume === check?.fill_volume && check?.candle_trades === check?.fill_trades
console.log(
  `candles vs chain_fills taker legs: volume ${check?.candle_volume} vs ${check?.fill_volume}, trades ${check?.candle_trades} vs ${check?.fill_trades} — ${agree ? 'equal' : 'DIFFERENT'}`,
)
const once = [{ value: '' }]
const repeated = Array.from({ length: queries }, () => once[0] as { value: string })
await measure(
  'vw_wallet_pnl ORDER BY total_pnl DESC LIMIT 100',
  'SELECT * FROM vw_wallet_pnl ORDER BY total_pnl DESC LIMIT 100',
  repeated,
)
await measure(
  'vw_position_pnl WHERE wallet = … (random wallets)',
  'SELECT * FROM vw_position_pnl WHERE wallet = {value:String}',
  sampleWallets,
)
for (const span of ['1m', '1h', '1d']) {
  await measure(
    `vw_candles_${span} WHERE token_id = … (random tokens)`,
    `SELECT * FROM vw_candles_${span} WHERE token_id = {value:UInt256} ORDER BY bucket`,
    sampleTokens,
  )
}
if (busiest) {
  for (const span of ['1m', '1h', '1d']) {
    await measure(
      `vw_candles_${span} of the busiest token (${Number(busiest.matches).toLocaleString('en-US')} matches)`,
      `SELECT * FROM vw_candles_${span} WHERE token_id = {value:UInt256} ORDER BY bucket`,
      Array.from({ length: Math.min(queries, 20) }, () => busiest),
    )
  }
}
await measure(
  'vw_candles_1d, every token, the last day',
  `SELECT * FROM vw_candles_1d WHERE bucket >= (SELECT toStartOfDay(max(block_time)) FROM chain_candle_blocks) ORDER BY volume DESC LIMIT 100`,
  Array.from({ length: Math.min(queries, 10) }, () => once[0] as { value: string }),
)
await warehouse.close()
if (!values.keep) remove()
