import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fingerprint } from '../../load/fingerprint.ts'
import { migrate } from '../../load/migrate.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { openTempWarehouse } from '../helpers/warehouse.ts'

describe('warehouse fingerprint', () => {
  let warehouse: Warehouse
  beforeAll(async () => {
    warehouse = await openTempWarehouse()
    expect((await migrate(warehouse)).error).toBeUndefined()
  })
  afterAll(async () => {
    await warehouse.close()
  })

  it('ignores run columns and replaced versions, but sees duplicates and changed values', async () => {
    const insert = (rows: object[]) => warehouse.insert('market_tokens', rows)
    await insert([
      { token_id: '1', condition_id: '0xc', market_id: 7, outcome_index: 0, outcome: 'Yes', _run_id: 'a' },
    ])
    const first = await fingerprint(warehouse, ['market_tokens'])
    expect(first.market_tokens?.rows).toBe(1)

    // The same row written again by another run: replaced, not doubled, and the run id is ignored.
    await insert([
      { token_id: '1', condition_id: '0xc', market_id: 7, outcome_index: 0, outcome: 'Yes', _run_id: 'b' },
    ])
    expect(await fingerprint(warehouse, ['market_tokens'])).toEqual(first)

    // A changed value changes the hash.
    await insert([
      { token_id: '1', condition_id: '0xc', market_id: 7, outcome_index: 0, outcome: 'No', _run_id: 'c' },
    ])
    expect((await fingerprint(warehouse, ['market_tokens'])).market_tokens?.hash).not.toBe(
      first.market_tokens?.hash,
    )

    // A plain MergeTree log counts duplicates.
    await warehouse.command('CREATE TABLE log (id UInt8) ENGINE = MergeTree ORDER BY id')
    await warehouse.insert('log', [{ id: 1 }])
    const once = await fingerprint(warehouse, ['log'])
    await warehouse.insert('log', [{ id: 1 }])
    const twice = await fingerprint(warehouse, ['log'])
    expect(twice.log?.rows).toBe(2)
    expect(twice.log?.hash).not.toBe(once.log?.hash)
  })

  it('includes views when asked', async () => {
    const prints = await fingerprint(warehouse, [], { includeViews: true })
    expect(Object.keys(prints)).toContain('vw_markets')
  })
})
