// The engine's own insert rate for ERC-1155 transfers and their per-wallet legs under several table
// layouts, in one run: 1M generated transfers (skewed wallets, as bench/wallet-balances.ts) are staged
// in a plain MergeTree, then each layout gets the same rows by INSERT … SELECT (timed, its
// materialized view included). How sql/090's layout was chosen. Prints rows/s; never fails.
//
//   npx tsx bench/transfers-layouts.ts [--transfers 1000000]
import os from 'node:os'
import { parseArgs } from 'node:util'
import { machineLine } from './machine.ts'
import { openBenchWarehouse } from './shared/warehouse.ts'

const { values } = parseArgs({
  options: { transfers: { type: 'string', default: '1000000' } },
})
const transfers = Number(values.transfers)
const { warehouse, remove } = await openBenchWarehouse('polyhouse-layouts-')
console.log(machineLine())
console.log(`load average at start ${os.loadavg()[0]?.toFixed(2)}`)
const wallet = (salt: string) =>
  `concat('0x', lower(hex(substring(SHA256(toString(toUInt64(pow(cityHash64(n, '${salt}') % 1000000 / 1000000, 2) * 50000))), 1, 20))))`
await warehouse.command(
  'CREATE TABLE source_transfers AS chain_transfers ENGINE = MergeTree ORDER BY (block_number, log_index, batch_index)',
)
await warehouse.command(
  `INSERT INTO source_transfers (block_number, log_index, batch_index, tx_hash, block_hash, block_time, event, operator, from_address, to_address, token_id, amount, _run_id)
   SELECT 33605403 + intDiv(n, 20), n % 20, 0, concat('0x', lower(hex(SHA256(toString(n))))), concat('0x', lower(hex(SHA256(toString(intDiv(n, 20)))))),
          toDateTime(1664100000 + intDiv(n, 20) * 2), 'TransferSingle', ${wallet('o')},
          if(n % 10 < 2, '0x0000000000000000000000000000000000000000', ${wallet('a')}), ${wallet('b')},
          toUInt256(cityHash64(n, 't')) * 1000003 * 1000003 * 1000003, toUInt256(10000 * (1 + cityHash64(n, 'v') % 100000)), 'bench'
   FROM (SELECT number AS n FROM numbers(${transfers}))`,
)

const legsSelect = (columns: string) =>
  `SELECT leg.1 AS wallet, token_id, leg.2 AS direction, block_number, log_index, batch_index, ${columns}
FROM chain_transfers_x ARRAY JOIN [(from_address, toInt8(-1), to_address), (to_address, toInt8(1), from_address)] AS leg`
const transfersTable =
  'CREATE TABLE chain_transfers_x AS chain_transfers ENGINE = ReplacingMergeTree(_ingested_at) ORDER BY (block_number, log_index, batch_index) SETTINGS non_replicated_deduplication_window = 1000'
const legsTable = (key: string, columns: string) =>
  `CREATE TABLE legs_x (wallet String, token_id UInt256, direction Int8, block_number UInt64, log_index UInt32, batch_index UInt16, ${columns})
   ENGINE = ReplacingMergeTree(_ingested_at) ORDER BY ${key} SETTINGS non_replicated_deduplication_window = 1000`
const OLD_KEY = '(wallet, token_id, block_number, log_index, batch_index, direction)'
const HASH_KEY = '(cityHash64(wallet), block_number, log_index, batch_index, direction)'
const ALL_COLUMNS = `counterparty String, amount UInt256, block_time DateTime('UTC'), _run_id String, _ingested_at DateTime64(3, 'UTC')`
const ALL_SELECTED = 'leg.3 AS counterparty, amount, block_time, _run_id, _ingested_at'
const SLIM_COLUMNS = `amount UInt256, block_time DateTime('UTC'), _ingested_at DateTime64(3, 'UTC')`
const SLIM_SELECTED = 'amount, block_time, _ingested_at'
const layouts: Record<string, string[]> = {
  'chain_transfers alone (no legs)': [transfersTable],
  'sql/022 legs: key (wallet, token_id, …), every column': [
    transfersTable,
    legsTable(OLD_KEY, ALL_COLUMNS),
    `CREATE MATERIALIZED VIEW legs_x_mv TO legs_x AS ${legsSelect(ALL_SELECTED)}`,
  ],
  'legs keyed (cityHash64(wallet), …), every column': [
    transfersTable,
    legsTable(HASH_KEY, ALL_COLUMNS),
    `CREATE MATERIALIZED VIEW legs_x_mv TO legs_x AS ${legsSelect(ALL_SELECTED)}`,
  ],
  'sql/090 legs: keyed (cityHash64(wallet), …), no counterparty/_run_id': [
    transfersTable,
    legsTable(HASH_KEY, SLIM_COLUMNS),
    `CREATE MATERIALIZED VIEW legs_x_mv TO legs_x AS ${legsSelect(SLIM_SELECTED)}`,
  ],
}
// Twice over, alternating: the machine is shared, so compare within a pass.
for (const pass of [1, 2]) {
  for (const [name, ddl] of Object.entries(layouts)) {
    const statements = [
      'DROP VIEW IF EXISTS legs_x_mv',
      'DROP TABLE IF EXISTS legs_x',
      'DROP TABLE IF EXISTS chain_transfers_x',
      ...ddl,
    ]
    for (const statement of statements) await warehouse.command(statement)
    const started = performance.now()
    // As the pipeline inserts (load/commit.ts): without merge-on-insert.
    await warehouse.command(
      'INSERT INTO chain_transfers_x SELECT * FROM source_transfers',
      {},
      { optimize_on_insert: 0 },
    )
    const seconds = (performance.now() - started) / 1000
    console.log(
      `pass ${pass}, ${name}: ${seconds.toFixed(2)} s, ${Math.round(transfers / seconds).toLocaleString('en-US')} transfers/s (load ${os.loadavg()[0]?.toFixed(1)})`,
    )
  }
}
await warehouse.close()
remove()
