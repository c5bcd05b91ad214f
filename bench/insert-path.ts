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
import { migrate } from '../load/migrate.ts'
import { openWarehouse, type Warehouse } from '../load/warehouse.ts'
import { COMMIT_ROWS } from '../steps/block-ranges/committer.ts'
import { RowWriter } from '../steps/block-ranges/rows.ts'
import { CHAIN_FILLS_COLUMNS } from '../steps/chain/encode.ts'

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } })
const ROWS = Number(values.rows)
const COLUMNS = [...CHAIN_FILLS_COLUMNS, '_run_id']

/**
 * Rows shaped like the chain step's (bench/chain-ingest.ts): hashes, addresses, 77-digit token ids;
 * each batch as TabSeparated and as RowBinary.
 */
function batches(): { tsv: Buffer[]; binary: Buffer[] } {
  const hex = (bytes: number) => `0x${randomBytes(bytes).toString('hex')}`
  const tokens = Array.from({ length: 2_000 }, () => BigInt(hex(32)).toString())
  const wallets = Array.from({ length: 5_000 }, () => hex(20))
  const tsv: Buffer[] = []
  const binary: Buffer[] = []
  for (let start = 0; start < ROWS; start += COMMIT_ROWS) {
    const lines: string[] = []
    const rows = new RowWriter('bench-run', COMMIT_ROWS, 'RowBinary')
    for (let n = start; n < Math.min(ROWS, start + COMMIT_ROWS); n++) {
      const block = 33_605_403 + Math.floor(n / 5)
      const token = tokens[n % tokens.length] as string
      const v2 = n % 2 === 1
      const values = [
        block,
        n % 5,
        hex(32),
        hex(32),
        1_700_000_000 + block,
        '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e',
        v2 ? 2 : 1,
        hex(32),
        wallets[n % wallets.length],
        wallets[(n * 7) % wallets.length],
        n % 3 === 0 ? 'SELL' : 'BUY',
        token,
        v2 ? '0' : token,
        '0',
        1_000_000 + n,
        2_000_000 + n,
        0,
        v2 ? hex(32) : '',
        v2 ? `0x${'0'.repeat(64)}` : '',
      ] as const
      lines.push([...values, 'bench-run'].join('\t'))
      writeBinary(rows, values)
    }
    tsv.push(Buffer.from(`${lines.join('\n')}\n`, 'latin1'))
    binary.push(rows.bytes())
  }
  return { tsv, binary }
}

/** One row's values (chain_fills columns in order) as RowBinary, by their column types. */
function writeBinary(out: RowWriter, values: readonly (string | number | undefined)[]): void {
  const [block, logIndex, txHash, blockHash, time, exchange, version, orderHash, maker, taker, side] = values
  out.uint64(block as number)
  out.uint32(logIndex as number)
  out.string(txHash as string)
  out.string(blockHash as string)
  out.uint32(time as number)
  out.string(exchange as string)
  out.uint8(version as number)
  out.string(orderHash as string)
  out.string(maker as string)
  out.string(taker as string)
  out.uint8(side === 'BUY' ? 0 : 1)
  for (const amount of values.slice(11, 17)) out.uint256Text(String(amount))
  out.string(values[17] as string)
  out.string(values[18] as string)
  out.endRow()
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

const payloads = batches()
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
