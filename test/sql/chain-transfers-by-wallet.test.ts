// sql/090 on a warehouse that already holds transfers: the per-wallet legs move to the re-keyed
// table with nothing lost, balances read the same, and new transfers still arrive as two legs.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../../load/migrate.ts'
import { DEFAULT_SQL_DIR, DEFAULT_VIEWS_DIR } from '../../load/migrations.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { openTempWarehouse, tempDir } from '../helpers/warehouse.ts'

const REKEY = '090_chain_transfers_by_wallet_hash_key.sql'
const ZERO = '0x0000000000000000000000000000000000000000'
const ALICE = '0x00000000000000000000000000000000000a11ce'
const BOB = '0x0000000000000000000000000000000000000b0b'
// A real 77-digit token id (test/fixtures/polymarket/clob/clob-book.json): beyond UInt128.
const TOKEN = '98022490269692409998126496127597032490334070080325855126491859374983463996227'

async function transfer(warehouse: Warehouse, block: number, from: string, to: string, amount: number) {
  await warehouse.command(
    `INSERT INTO chain_transfers (block_number, log_index, batch_index, tx_hash, block_hash, block_time, event,
                                  operator, from_address, to_address, token_id, amount, _run_id)
     VALUES ({block:UInt64}, 0, 0, '0xt', '0xb', toDateTime(1700000000 + {block:UInt64}), 'TransferSingle',
             {from:String}, {from:String}, {to:String}, {token:UInt256}, {amount:UInt256}, 'test')`,
    { block, from, to, token: TOKEN, amount },
  )
}

async function balances(warehouse: Warehouse): Promise<Record<string, string>> {
  const rows = await warehouse.query<{ wallet: string; units: string }>(
    'SELECT wallet, toString(balance_units) AS units FROM vw_wallet_balances ORDER BY wallet',
  )
  return Object.fromEntries(rows.map((row) => [row.wallet, row.units]))
}

async function legs(warehouse: Warehouse): Promise<number> {
  const [row] = await warehouse.query<{ n: string }>(
    'SELECT toString(count()) AS n FROM chain_transfers_by_wallet FINAL',
  )
  return Number(row?.n)
}

describe('re-keying chain_transfers_by_wallet (sql/090) on a warehouse with transfers', () => {
  let warehouse: Warehouse
  const root = tempDir('polyhouse-sql-')
  const dirs = { sqlDir: path.join(root, 'sql'), viewsDir: path.join(root, 'views') }
  beforeAll(async () => {
    fs.cpSync(DEFAULT_SQL_DIR, dirs.sqlDir, { recursive: true })
    fs.cpSync(DEFAULT_VIEWS_DIR, dirs.viewsDir, { recursive: true })
    fs.rmSync(path.join(dirs.sqlDir, REKEY))
    warehouse = await openTempWarehouse()
  })
  afterAll(async () => {
    await warehouse.close()
  })

  it('carries the legs over, keeps balances, and derives legs of new transfers', async () => {
    const before = await migrate(warehouse, dirs)
    expect(before.error).toBeUndefined()
    await transfer(warehouse, 1, ZERO, ALICE, 5_000_000)
    await transfer(warehouse, 2, ALICE, BOB, 2_000_000)
    expect(await legs(warehouse)).toBe(4)
    const balancesBefore = await balances(warehouse)
    expect(balancesBefore).toEqual({ [ALICE]: '3000000', [BOB]: '2000000' })

    fs.copyFileSync(path.join(DEFAULT_SQL_DIR, REKEY), path.join(dirs.sqlDir, REKEY))
    const after = await migrate(warehouse, dirs)
    expect(after.error).toBeUndefined()
    expect(after.viewErrors).toEqual([])
    const [table] = await warehouse.query<{ sorting_key: string }>(
      "SELECT sorting_key FROM system.tables WHERE database = currentDatabase() AND name = 'chain_transfers_by_wallet'",
    )
    expect(table?.sorting_key).toBe('cityHash64(wallet), block_number, log_index, batch_index, direction')
    const leftovers = await warehouse.query(
      "SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE '%rekeyed%'",
    )
    expect(leftovers).toEqual([])
    expect(await legs(warehouse)).toBe(4)
    expect(await balances(warehouse)).toEqual(balancesBefore)

    await transfer(warehouse, 3, BOB, ALICE, 500_000)
    expect(await legs(warehouse)).toBe(6)
    expect(await balances(warehouse)).toEqual({ [ALICE]: '3500000', [BOB]: '1500000' })
    const [one] = await warehouse.query<{ units: string }>(
      'SELECT toString(balance_units) AS units FROM vw_wallet_balances WHERE wallet = {wallet:String}',
      { wallet: BOB },
    )
    expect(one?.units).toBe('1500000')
  })
})
