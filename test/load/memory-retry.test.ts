// An insert the engine refuses for memory (MEMORY_LIMIT_EXCEEDED) is tried again once what held
// the memory has let go, and goes in exactly once — in its table and in the materialized view that
// refused it — because every pipeline insert carries a deduplication token. The refusal is real:
// a view that builds an array of 4 Mi copies of each row's value (32 MiB a row, 3.2 GiB for an
// insert of 100 rows) until a moment passes, against the 160 MiB a query may take under
// --memory-limit 400M.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseSize } from '../../core/config.ts'
import {
  clickhouseErrorCode,
  MEMORY_LIMIT_EXCEEDED,
  retryRefusedForMemory,
  type Warehouse,
} from '../../load/warehouse.ts'
import { openTempWarehouse } from '../helpers/warehouse.ts'

const payload = Array.from({ length: 100 }, (_, a) => `{"a":${a}}\n`).join('')

/** A view that needs far more than a query may hold while `now64(3)` is before `until`. */
async function createGreedyView(warehouse: Warehouse, name: string, until: Date): Promise<void> {
  await warehouse.command(
    `CREATE TABLE ${name} (a UInt64) ENGINE = MergeTree ORDER BY a
     SETTINGS non_replicated_deduplication_window = 100`,
  )
  await warehouse.command(`CREATE TABLE ${name}_legs (a UInt64, n UInt64) ENGINE = MergeTree ORDER BY a`)
  const deadline = `toDateTime64(${until.getTime() / 1000}, 3, 'UTC')`
  await warehouse.command(
    `CREATE MATERIALIZED VIEW ${name}_mv TO ${name}_legs AS
     SELECT a, length(arrayWithConstant(if(now64(3, 'UTC') < ${deadline}, 4 * 1024 * 1024, 0), a)) AS n FROM ${name}`,
  )
}

async function counts(warehouse: Warehouse, name: string): Promise<{ rows: number; legs: number }> {
  const [row] = await warehouse.query<{ rows: string; legs: string }>(
    `SELECT (SELECT count() FROM ${name}) AS rows, (SELECT count() FROM ${name}_legs) AS legs`,
  )
  return { rows: Number(row?.rows), legs: Number(row?.legs) }
}

describe('an insert refused for memory', () => {
  let warehouse: Warehouse
  beforeAll(async () => {
    warehouse = await openTempWarehouse(undefined, { memoryLimitBytes: parseSize('400M') as number })
  })
  afterAll(async () => {
    await warehouse.close()
  })

  it('goes in once the memory is free, each row once in the table and in its view', async () => {
    const started = Date.now()
    await createGreedyView(warehouse, 'refused_once', new Date(started + 1_500))
    const refused: [string, number][] = []
    warehouse.onInsertRefused = (table, attempt) => refused.push([table, attempt])
    await warehouse.insertText('refused_once', 'JSONEachRow', payload, { deduplicationToken: 'refused-once' })
    warehouse.onInsertRefused = undefined
    expect(refused[0]).toEqual(['refused_once', 1])
    // It was refused: the view would let it through only after the moment passed.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500)
    expect(await counts(warehouse, 'refused_once')).toEqual({ rows: 100, legs: 100 })
  })

  it('is refused for good after the last wait, with the engine’s error', async () => {
    await createGreedyView(warehouse, 'refused_always', new Date(Date.now() + 3_600_000))
    const refusals: number[] = []
    // The statement itself, not insertText, whose own waits would take a minute and a half.
    const values = Array.from({ length: 100 }, (_, a) => `(${a})`).join(', ')
    const insert = () =>
      warehouse.command(
        `INSERT INTO refused_always SETTINGS insert_deduplication_token = 'always' VALUES ${values}`,
      )
    const error = await retryRefusedForMemory(
      insert,
      { settle: async () => {}, onRefused: (attempt) => refusals.push(attempt) },
      [10, 10],
    ).catch((caught: unknown) => caught)
    expect(clickhouseErrorCode(error)).toBe(MEMORY_LIMIT_EXCEEDED)
    expect(refusals).toEqual([1, 2])
    // The table took the rows on the first attempt and deduplicated them after; the view never did.
    expect(await counts(warehouse, 'refused_always')).toEqual({ rows: 100, legs: 0 })
  })

  it('is not tried again for any other error', async () => {
    const refusals: number[] = []
    const error = await retryRefusedForMemory(
      () => warehouse.command('INSERT INTO no_such_table VALUES (1)'),
      { settle: async () => {}, onRefused: (attempt) => refusals.push(attempt) },
      [10, 10],
    ).catch((caught: unknown) => caught)
    expect(clickhouseErrorCode(error)).toBe('60')
    expect(refusals).toEqual([])
  })
})
