// Step 1 of the checkpoint protocol for block ranges, on the real engine: a batch inserted twice is
// stored once, even from another run (its token hashes content and ranges, not the run column), and
// a renewed salt lets identical rows in again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertBatch, TsvBatch } from '../../../steps/block-ranges/insert.ts'
import { RowWriter } from '../../../steps/block-ranges/rows.ts'
import { openStepHarness, rows, type StepHarness } from './harness.ts'

let h: StepHarness

beforeAll(async () => {
  h = await openStepHarness()
  await h.warehouse.command(
    'CREATE TABLE t (n UInt64, s String, _run_id String) ENGINE = MergeTree ORDER BY n SETTINGS non_replicated_deduplication_window = 100',
  )
})

afterAll(async () => {
  await h?.close()
})

async function count(): Promise<number> {
  const [row] = await rows(h.warehouse, 'SELECT toString(count()) AS n FROM t')
  return Number(row?.n)
}

async function batch(runId: string, values: number[]): Promise<TsvBatch> {
  const out = new RowWriter(runId, values.length)
  for (const n of values) {
    out.write(`${n}\tx`)
    out.endRow()
  }
  const tsv = new TsvBatch('t', ['n', 's'])
  tsv.add(await out.finish())
  return tsv
}

describe('batched inserts', () => {
  it('stores a batch once, whichever run sends it again, and again under a new salt', async () => {
    await insertBatch(
      h.warehouse,
      await batch('11111111-1111-1111-1111-111111111111', [1, 2, 3]),
      'unit|salt-a|1-3',
    )
    await insertBatch(
      h.warehouse,
      await batch('22222222-2222-2222-2222-222222222222', [1, 2, 3]),
      'unit|salt-a|1-3',
    )
    expect(await count()).toBe(3)
    await insertBatch(
      h.warehouse,
      await batch('22222222-2222-2222-2222-222222222222', [1, 2, 3]),
      'unit|salt-b|1-3',
    )
    expect(await count()).toBe(6)
    const runs = await rows(h.warehouse, 'SELECT DISTINCT _run_id AS r FROM t ORDER BY r')
    expect(runs.map((row) => row.r)).toEqual([
      '11111111-1111-1111-1111-111111111111',
      '22222222-2222-2222-2222-222222222222',
    ])
  })
})
