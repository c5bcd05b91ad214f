// How the embedded engine takes a payload: chDB's raw insert (the bytes handed over inline with the
// statement) beside Warehouse.insertText (the bytes staged as a file and read with INSERT … FROM
// INFILE), with the rows as TabSeparated and as RowBinary (what the chain step writes), for the same
// chain_fills rows in batches of the chain step's size, into the migrated chain_fills (its
// materialized view included) and into a Null table of the same columns (parsing alone). Prints
// figures; never fails on time.
//
//   npx tsx bench/insert-path.ts --rows 1000000
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { CTF_EXCHANGE_V1 } from '../extract/chain/contracts.ts'
import { migrate } from '../load/migrate.ts'
import { RowWriter } from '../load/row-writer.ts'
import { openWarehouse, type Warehouse } from '../load/warehouse.ts'
import { COMMIT_ROWS } from '../steps/block-ranges/commit.ts'
import type { LogBlock } from '../steps/block-ranges/types.ts'
import type { OrderFill } from '../steps/chain/decode.ts'
import { CHAIN_FILLS, CHAIN_FILLS_COLUMNS, writeFill } from '../steps/chain/encode.ts'
import { rowLines } from './shared/row-binary.ts'

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } })
const ROWS = Number(values.rows)
const COLUMNS = [...CHAIN_FILLS_COLUMNS, '_run_id']
const RUN_ID = 'bench-run'

/**
 * Rows shaped like the chain step's (bench/chain-ingest.ts): hashes, addresses, 77-digit token ids;
 * each batch in RowBinary as the chain step writes it (writeFill), and the same rows as TabSeparated.
 */
async function batches(): Promise<{ tsv: Buffer[]; binary: Buffer[] }> {
  const hex = (bytes: number) => `0x${randomBytes(bytes).toString('hex')}`
  const tokens = Array.from({ length: 2_000 }, () => BigInt(hex(32)).toString())
  const wallets = Array.from({ length: 5_000 }, () => hex(20))
  const tsv: Buffer[] = []
  const binary: Buffer[] = []
  let block: LogBlock = { number: 0, hash: '', time: 0 }
  for (let start = 0; start < ROWS; start += COMMIT_ROWS) {
    const rows = new RowWriter(RUN_ID, COMMIT_ROWS, 'RowBinary')
    for (let n = start; n < Math.min(ROWS, start + COMMIT_ROWS); n++) {
      const number = 33_605_403 + Math.floor(n / 5)
      if (block.number !== number) block = { number, hash: hex(32), time: 1_700_000_000 + number }
      const token = tokens[n % tokens.length] as string
      const side = n % 3 === 0 ? 'SELL' : 'BUY'
      const common = {
        block_number: number,
        block_hash: block.hash,
        block_timestamp: block.time,
        tx_hash: hex(32),
        transaction_index: 0,
        log_index: n % 5,
        exchange: CTF_EXCHANGE_V1,
        neg_risk: false,
        order_hash: hex(32),
        maker: wallets[n % wallets.length] as string,
        taker: wallets[(n * 7) % wallets.length] as string,
        maker_amount_filled: String(1_000_000 + n),
        taker_amount_filled: String(2_000_000 + n),
        fee: '0',
        token_id: token,
        side,
        shares: '0',
        collateral: '0',
      } as const
      const fill: OrderFill =
        n % 2 === 1
          ? {
              ...common,
              version: 2,
              maker_asset_id: null,
              taker_asset_id: null,
              order_side: side === 'BUY' ? 0 : 1,
              builder: hex(32),
              metadata: `0x${'0'.repeat(64)}`,
            }
          : {
              ...common,
              version: 1,
              maker_asset_id: side === 'BUY' ? '0' : token,
              taker_asset_id: side === 'BUY' ? token : '0',
              order_side: null,
              builder: null,
              metadata: null,
            }
      writeFill(fill, block, rows)
    }
    const { payload } = await rows.finish()
    binary.push(payload)
    const lines = rowLines(payload, CHAIN_FILLS).trimEnd().split('\n')
    tsv.push(Buffer.from(lines.map((line) => `${line}\t${RUN_ID}\n`).join(''), 'latin1'))
  }
  return { tsv, binary }
}

interface ChdbRawInsert {
  rawInsert(params: {
    table: string
    values: Buffer
    format: string
    columns: readonly string[]
    settings: Record<string, string>
  }): Promise<unknown>
}

type InsertPath = 'raw insert (inline)' | 'insertText (file, FROM INFILE)'
type Format = 'TabSeparated' | 'RowBinary'

async function load(
  warehouse: Warehouse,
  table: string,
  via: InsertPath,
  format: Format,
  payloads: Buffer[],
) {
  const chdb = (warehouse.client as unknown as { connection: { chdb: ChdbRawInsert } }).connection.chdb
  const cpu = process.cpuUsage()
  const started = performance.now()
  for (const [i, payload] of payloads.entries()) {
    const token = `${table}-${via}-${format}-${i}`
    if (via === 'raw insert (inline)') {
      await chdb.rawInsert({
        table,
        values: payload,
        format,
        columns: COLUMNS,
        settings: { insert_deduplication_token: token, optimize_on_insert: '0' },
      })
    } else {
      await warehouse.insertText(table, format, payload, {
        columns: COLUMNS,
        deduplicationToken: token,
        optimizeOnInsert: false,
      })
    }
  }
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  return { seconds, cpu: (used.user + used.system) / 1e6 }
}

const payloads = await batches()
const mib = (pieces: Buffer[]) => (pieces.reduce((sum, piece) => sum + piece.length, 0) / 2 ** 20).toFixed(0)
console.log(
  `machine: ${os.cpus()[0]?.model} x${os.cpus().length}, node ${process.version}; load average ${os.loadavg()[0]?.toFixed(2)}`,
)
console.log(
  `${ROWS.toLocaleString('en-US')} chain_fills rows, ${mib(payloads.tsv)} MiB of TabSeparated, ${mib(payloads.binary)} MiB of RowBinary, ${payloads.tsv.length} inserts of ≤ ${COMMIT_ROWS.toLocaleString('en-US')}`,
)
const variants = [
  ['raw insert (inline)', 'TabSeparated'],
  ['insertText (file, FROM INFILE)', 'TabSeparated'],
  ['insertText (file, FROM INFILE)', 'RowBinary'],
] as const
for (const table of ['null_fills', 'chain_fills']) {
  for (const [via, format] of variants) {
    // A fresh directory per measurement, so parts and merges of one do not weigh on the next.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'polyhouse-insert-bench-'))
    const warehouse = await openWarehouse({ kind: 'embedded', dataDir })
    try {
      const migrated = await migrate(warehouse)
      if (migrated.error) throw migrated.error
      await warehouse.command('CREATE TABLE null_fills AS chain_fills ENGINE = Null')
      const pieces = format === 'RowBinary' ? payloads.binary : payloads.tsv
      const { seconds, cpu } = await load(warehouse, table, via, format, pieces)
      const label = table === 'null_fills' ? 'Null table (parsing)' : 'chain_fills + by-wallet view'
      console.log(
        `${label.padEnd(30)} ${via.padEnd(31)} ${format.padEnd(13)} ${seconds.toFixed(2)} s, ${Math.round(ROWS / seconds).toLocaleString('en-US')} rows/s, process CPU ${cpu.toFixed(1)} s`,
      )
    } finally {
      await warehouse.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }
}
