// A range's content digest is what `gaps --verify` recomputes: it must stay put when the engine
// deduplicates (a later run storing the same transfers again, the merge that collapses them) and
// must move when a stored value changes in place, a row goes, or a row comes from elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../../../load/migrate.ts'
import type { Warehouse } from '../../../load/warehouse.ts'
import { contentDigestSql } from '../../../steps/block-ranges/digest.ts'
import { TRANSFERS_STREAM } from '../../../steps/transfers/stream.ts'
import { openTempWarehouse } from '../../helpers/warehouse.ts'

const ADDRESS = `0x${'ab'.repeat(20)}`

function transfer(block: number, logIndex: number, run: string) {
  return {
    block_number: block,
    log_index: logIndex,
    batch_index: 0,
    tx_hash: `0x${block.toString(16).padStart(64, '0')}`,
    block_hash: `0x${(block + 1).toString(16).padStart(64, '0')}`,
    block_time: 1_700_000_000 + block,
    event: 'TransferSingle',
    operator: ADDRESS,
    from_address: ADDRESS,
    to_address: `0x${'cd'.repeat(20)}`,
    token_id: '115792089237316195423570985008687907853269984665640564039457584007913129639935',
    amount: String(1_000_000 * logIndex + block),
    _run_id: run,
  }
}

describe('content digest of a block range', () => {
  let warehouse: Warehouse
  const ranges = [
    { from: 100, to: 199 },
    { from: 200, to: 299 },
    { from: 300, to: 399 },
  ]
  /** Each range's digest as `gaps --verify` computes and records it. */
  async function digests(): Promise<string[]> {
    const out: string[] = []
    for (const range of ranges) {
      const [row] = await warehouse.query<{ digest: string }>(
        `SELECT toString(${contentDigestSql(TRANSFERS_STREAM)}) AS digest FROM chain_transfers
         WHERE block_number BETWEEN {from:UInt64} AND {to:UInt64}`,
        range,
      )
      out.push(row?.digest ?? '')
    }
    return out
  }

  beforeAll(async () => {
    warehouse = await openTempWarehouse()
    expect((await migrate(warehouse)).error).toBeUndefined()
    await warehouse.insert('chain_transfers', [
      transfer(120, 1, 'run-1'),
      transfer(150, 2, 'run-1'),
      transfer(250, 1, 'run-1'),
    ])
  })
  afterAll(async () => {
    await warehouse.close()
  })

  it('is one value per range, 0 for a range without rows, and blind to duplicates and merges', async () => {
    const first = await digests()
    expect(first[0]).not.toBe('0')
    expect(first[1]).not.toBe('0')
    expect(first[0]).not.toBe(first[1])
    expect(first[2]).toBe('0')
    // A later run stores the same transfers again: two versions of each until a merge.
    await warehouse.insert('chain_transfers', [transfer(120, 1, 'run-2'), transfer(150, 2, 'run-2')])
    const [{ n } = { n: '' }] = await warehouse.query<{ n: string }>(
      'SELECT toString(count()) AS n FROM chain_transfers WHERE block_number < 200',
    )
    expect(n).toBe('4')
    expect(await digests()).toEqual(first)
    await warehouse.command('OPTIMIZE TABLE chain_transfers FINAL')
    expect(await digests()).toEqual(first)
  })

  it('changes when a value is changed in place, a row deleted or a row added', async () => {
    const before = await digests()
    await warehouse.command(
      'ALTER TABLE chain_transfers UPDATE amount = amount + 1 WHERE block_number = 150 SETTINGS mutations_sync = 2',
    )
    const changed = await digests()
    expect(changed[0]).not.toBe(before[0])
    expect(changed.slice(1)).toEqual(before.slice(1))
    await warehouse.command('DELETE FROM chain_transfers WHERE block_number = 250')
    const deleted = await digests()
    expect(deleted[1]).toBe('0')
    await warehouse.insert('chain_transfers', [transfer(350, 1, 'run-3')])
    expect((await digests())[2]).not.toBe('0')
  })
})
