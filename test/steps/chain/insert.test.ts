// Step 1 of the checkpoint protocol for block ranges, on the real engine: a batch inserted twice is
// stored once, even from another run (its token hashes content and ranges, not the run column), and
// a renewed salt lets identical rows in again. RowBinary rows are read by the engine as RowWriter
// meant them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readRowBinary } from '../../../bench/shared/row-binary.ts'
import { insertBatch, RowBatch } from '../../../load/commit.ts'
import { type BinaryColumn, RowWriter } from '../../../load/row-writer.ts'
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

async function batch(runId: string, values: number[]): Promise<RowBatch> {
  const out = new RowWriter(runId, values.length)
  for (const n of values) {
    out.write(`${n}\tx`)
    out.endRow()
  }
  const tsv = new RowBatch('t', ['n', 's'], 'TabSeparated')
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

describe('RowBinary batches', () => {
  it('are read by the engine as written: every type the chain steps write, at its edges', async () => {
    await h.warehouse.command(`
      CREATE TABLE typed (
        a UInt8, b UInt32, c DateTime('UTC'), d UInt64, e UInt256, f UInt256, g String,
        h LowCardinality(String), i Enum8('BUY' = 0, 'SELL' = 1), j UInt16, _run_id String
      ) ENGINE = MergeTree ORDER BY d`)
    const types: BinaryColumn[] = [
      'UInt8',
      'UInt32',
      'DateTime',
      'UInt64',
      'UInt256',
      'UInt256',
      'String',
      'String',
      ['BUY', 'SELL'],
      'UInt16',
    ]
    const max = (2n ** 256n - 1n).toString(16)
    const word = Buffer.from(`${max}${'0'.repeat(63)}1`, 'latin1')
    const out = new RowWriter('run-7', 2, 'RowBinary')
    for (const n of [0, 1]) {
      out.uint8(n === 0 ? 0 : 255)
      out.uint32(n === 0 ? 0 : 2 ** 32 - 1)
      out.uint32(n === 0 ? 1_700_000_000 : 1_800_000_000)
      out.uint64(n === 0 ? 2 ** 32 : 2 ** 53 - 1)
      out.uint256Hex(word, n * 64)
      out.uint256(n === 0 ? 0 : 999_999_999_999)
      out.string(n === 0 ? '' : `0x${'ab'.repeat(32)}`)
      out.string(n === 0 ? '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e' : 'x')
      out.uint8(n)
      out.uint16(n === 0 ? 0 : 0xffff)
      out.endRow()
    }
    const chunk = await out.finish()
    const batch = new RowBatch('typed', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'], 'RowBinary')
    batch.add(chunk)
    await insertBatch(h.warehouse, batch, 'typed|salt|0-1')
    const stored = await rows(
      h.warehouse,
      `SELECT toString(a) AS a, toString(b) AS b, toString(toUnixTimestamp(c)) AS c, toString(d) AS d,
              toString(e) AS e, toString(f) AS f, g, h, toString(i) AS i, toString(j) AS j, _run_id
       FROM typed ORDER BY d`,
    )
    const expected = readRowBinary(chunk.payload, types)
    expect(stored.map((row) => Object.values(row))).toEqual(expected)
    expect(expected[1]).toEqual([
      '255',
      '4294967295',
      '1800000000',
      String(2 ** 53 - 1),
      '1',
      '999999999999',
      `0x${'ab'.repeat(32)}`,
      'x',
      'SELL',
      '65535',
      'run-7',
    ])
    expect(expected[0]?.[4]).toBe((2n ** 256n - 1n).toString())
  })
})
