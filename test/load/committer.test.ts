// The one committer, on the real engine: a batch's rows go in as one insert per table and only then
// its checkpoint rows; a refused batch leaves every unit not done and stops the committer; a partial
// batch goes in after its delay; fetchers wait while two batches' rows are pending; a unit that comes
// after close() is not written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RecordedContext, stepContext } from '../../bench/shared/step-context.ts'
import { InterruptedError } from '../../core/errors.ts'
import { Committer, type PendingUnit, UnitCommitter } from '../../load/committer.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { openTempWarehouse } from '../helpers/warehouse.ts'

let warehouse: Warehouse
let context: RecordedContext

beforeAll(async () => {
  warehouse = await openTempWarehouse()
  context = await stepContext(warehouse)
})
afterAll(async () => {
  await warehouse?.close()
})

/** A data table and a checkpoint table of its own for each test. */
async function tables(name: string): Promise<{ data: string; done: string }> {
  const data = `${name}_pages`
  const done = `${name}_done`
  await warehouse.command(
    `CREATE TABLE ${data} (id UInt64, _run_id String) ENGINE = MergeTree ORDER BY id
     SETTINGS non_replicated_deduplication_window = 100`,
  )
  await warehouse.command(`CREATE TABLE ${done} (unit String) ENGINE = MergeTree ORDER BY unit`)
  return { data, done }
}

function page(tables: { data: string; done: string }, unit: string, ids: (number | string)[]): PendingUnit {
  return {
    unit,
    rows: { [tables.data]: ids.map((id) => ({ id, _run_id: context.runLog.runId })) },
    after: { [tables.done]: [{ unit }] },
  }
}

async function count(sql: string): Promise<number> {
  const [row] = await warehouse.query<{ n: string }>(`SELECT toString(count()) AS n FROM (${sql})`)
  return Number(row?.n)
}

describe('UnitCommitter', () => {
  it("writes a batch's rows as one insert, then its checkpoints; each unit resolves after both", async () => {
    const t = await tables('batch')
    const committer = new UnitCommitter(warehouse, context.runLog, { delayMs: 60_000 })
    const units = [page(t, 'p1', [1, 2]), page(t, 'p2', [3]), page(t, 'p3', [4, 5, 6])]
    const committed = units.map((unit) => committer.add(unit))
    expect(await count(`SELECT * FROM ${t.done}`)).toBe(0)
    await committer.flush()
    await Promise.all(committed)
    expect(await count(`SELECT * FROM ${t.data}`)).toBe(6)
    expect(await count(`SELECT * FROM ${t.done}`)).toBe(3)
    // One insert made one part: the batch went in together.
    expect(await count(`SELECT * FROM system.parts WHERE table = '${t.data}' AND active`)).toBe(1)
  })

  it('records no checkpoint of a batch the warehouse refused, and stops', async () => {
    const t = await tables('refused')
    const committer = new UnitCommitter(warehouse, context.runLog, { delayMs: 60_000 })
    const good = committer.add(page(t, 'good', [1]))
    const bad = committer.add(page(t, 'bad', ['not a number']))
    const refusal = await committer.flush().catch((error: unknown) => error)
    expect(String(refusal)).toMatch(/Cannot parse input/)
    await expect(good).rejects.toBe(refusal)
    await expect(bad).rejects.toBe(refusal)
    expect(await count(`SELECT * FROM ${t.data}`)).toBe(0)
    expect(await count(`SELECT * FROM ${t.done}`)).toBe(0)
    // Stopped: nothing more is taken, and fetchers waiting for room hear why.
    await expect(committer.add(page(t, 'later', [2]))).rejects.toBe(refusal)
    await expect(committer.room()).rejects.toBe(refusal)
    await committer.flush().catch(() => {})
    expect(await count(`SELECT * FROM ${t.done}`)).toBe(0)
  })

  it('commits a partial batch after its delay, without a flush', async () => {
    const t = await tables('delayed')
    const committer = new UnitCommitter(warehouse, context.runLog, { delayMs: 20 })
    await committer.add(page(t, 'alone', [1]))
    expect(await count(`SELECT * FROM ${t.done}`)).toBe(1)
  })
})

describe('Committer', () => {
  /** A committer whose writes wait for `release()`, counting the units written. */
  function gated() {
    const written: number[][] = []
    let release = () => {}
    const committer = new Committer<number>({
      batchRows: 10,
      delayMs: 60_000,
      rowsOf: (rows) => rows,
      write: async (batch) => {
        await new Promise<void>((resolve) => {
          release = resolve
        })
        written.push(batch)
      },
    })
    return { committer, written, release: () => release() }
  }

  const settled = async (promise: Promise<void>) => {
    let done = false
    void promise.then(() => {
      done = true
    })
    // Long enough for any already-due continuation to run.
    await new Promise((resolve) => setTimeout(resolve, 20))
    return done
  }

  it('makes fetchers wait while two batches of rows are pending, and lets them go once one is written', async () => {
    const { committer, written, release } = gated()
    expect(await settled(committer.room())).toBe(true)
    void committer.add(6)
    void committer.add(6) // 12 rows: a batch, being written
    void committer.add(9) // 21 pending: over twice the batch
    const room = committer.room()
    expect(await settled(room)).toBe(false)
    release()
    expect(await settled(room)).toBe(true)
    expect(written).toEqual([[6, 6]])
    const flushed = committer.flush()
    await settled(flushed)
    release()
    await flushed
    expect(written).toEqual([[6, 6], [9]])
  })

  it('does not write a unit that comes after close()', async () => {
    const { committer, written } = gated()
    committer.close()
    await expect(committer.add(1)).rejects.toBeInstanceOf(InterruptedError)
    await committer.flush()
    expect(written).toEqual([])
  })
})
