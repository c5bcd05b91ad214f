import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CheckpointStore } from '../../checkpoints/store.ts'
import { redactArguments } from '../../core/redact.ts'
import { commitRows, deduplicationToken } from '../../load/commit.ts'
import { migrate } from '../../load/migrate.ts'
import { RunLog } from '../../load/run-log.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { openTempWarehouse } from '../helpers/warehouse.ts'

describe('checkpoints, commits and the run log in a real warehouse', () => {
  let warehouse: Warehouse
  let store: CheckpointStore
  beforeAll(async () => {
    warehouse = await openTempWarehouse()
    const result = await migrate(warehouse)
    expect(result.error).toBeUndefined()
    store = new CheckpointStore(warehouse, 'run-1')
  })
  afterAll(async () => {
    await warehouse.close()
  })

  it('keeps the last committed cursor per partition, and done units', async () => {
    await store.recordCursor('markets', 'closed=true', 'cursor-1', 100)
    await store.recordCursor('markets', 'closed=true', 'cursor-2', 200)
    await store.recordCursor('markets', 'closed=false', 'cursor-a', 100)
    await store.recordDone('markets', 'closed=false', 150)
    const cursors = await store.cursors('markets')
    expect(cursors.get('closed=true')).toEqual({
      unit: 'closed=true',
      cursor: 'cursor-2',
      done: false,
      rows: 200,
    })
    expect(cursors.get('closed=false')).toEqual({ unit: 'closed=false', cursor: '', done: true, rows: 150 })
    expect(await store.doneUnits('markets')).toEqual(new Set(['closed=false']))
  })

  it('merges ranges that finished in any order and forgets blocks abandoned by a reorg', async () => {
    for (const [from, to] of [
      [200, 299],
      [0, 99],
      [100, 199],
      [400, 499],
    ] as const) {
      await store.recordRange('chain_fills', { from, to, blockHash: `0x${to}`, rows: 10 })
    }
    const ranges = await store.ranges('chain_fills')
    expect(ranges.ranges()).toEqual([
      { from: 0, to: 299 },
      { from: 400, to: 499 },
    ])
    expect(ranges.gaps(0, 499)).toEqual([{ from: 300, to: 399 }])

    await store.forgetBlocksFrom('chain_fills', 250)
    expect((await store.ranges('chain_fills')).ranges()).toEqual([{ from: 0, to: 249 }])
    const rows = await store.rangeRows('chain_fills')
    expect(rows.find((row) => row.to === 249)).toMatchObject({ from: 200, blockHash: '' })
    expect(rows.find((row) => row.to === 99)?.blockHash).toBe('0x99')
  })

  it('records a range digest once, and never brings back a range forgotten meanwhile', async () => {
    const stream = 'chain_transfers'
    for (const [from, to] of [
      [0, 99],
      [100, 199],
    ] as const) {
      await store.recordRange(stream, { from, to, blockHash: `0x${to}`, rows: 10, blocks: 5 })
    }
    expect((await store.rangeRows(stream)).map((row) => row.digest)).toEqual([undefined, undefined])
    // A repair forgets the second range while a --verify that read it before records its digest.
    await store.forgetRanges(stream, [{ from: 100, to: 199 }])
    const digests = [
      { range: { from: 0, to: 99 }, digest: '18446744073709551615' },
      { range: { from: 100, to: 199 }, digest: '7' },
    ]
    await store.recordDigests(stream, digests)
    expect(await store.rangeRows(stream)).toEqual([
      expect.objectContaining({
        from: 0,
        to: 99,
        rows: 10,
        blocks: 5,
        counted: true,
        digest: '18446744073709551615',
      }),
    ])
    // A digest once recorded is the fact compared from then on: a later one does not replace it.
    await store.recordDigests(stream, [{ range: { from: 0, to: 99 }, digest: '1' }])
    expect((await store.rangeRows(stream))[0]?.digest).toBe('18446744073709551615')
  })

  it('drops a retried insert of the same rows but keeps changed rows of the same unit', async () => {
    await warehouse.command(
      'CREATE TABLE pages (id UInt32, title String, _run_id String) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100',
    )
    await commitRows(warehouse, 'pages', 'page-1', [{ id: 1, title: 'a', _run_id: 'r1' }])
    // The same insert retried (after a timeout whose first attempt had in fact landed): dropped.
    await commitRows(warehouse, 'pages', 'page-1', [{ id: 1, title: 'a', _run_id: 'r1' }])
    // The same page re-fetched with changed content must not vanish.
    await commitRows(warehouse, 'pages', 'page-1', [{ id: 1, title: 'b', _run_id: 'r1' }])
    expect(await warehouse.query('SELECT id, title, _run_id FROM pages ORDER BY title')).toEqual([
      { id: 1, title: 'a', _run_id: 'r1' },
      { id: 1, title: 'b', _run_id: 'r1' },
    ])
    expect(deduplicationToken('pages', 'page-1', '{"id":1}\n')).not.toBe(
      deduplicationToken('pages', 'page-2', '{"id":1}\n'),
    )
  })

  it('records runs with secrets redacted, jobs, errors and quarantined records', async () => {
    const log = new RunLog(warehouse, 'backfill', [
      'backfill',
      '--clickhouse-password',
      'hunter2',
      '--clickhouse-url=http://admin:s3cret@db:8123',
    ])
    await log.start()
    await log.job({
      jobId: 'markets/closed=true',
      kind: 'markets',
      target: 'closed=true',
      status: 'in_progress',
    })
    await log.job({
      jobId: 'markets/closed=true',
      kind: 'markets',
      target: 'closed=true',
      status: 'completed',
      rowsWritten: 5,
    })
    await log.error({
      stream: 'markets',
      unit: 'closed=true',
      error: new Error('HTTP 503 from http://u:pw@x/'),
      attempts: 6,
    })
    await log.quarantine('markets', [
      { key: '42', reason: 'volumeNum: expected number', raw: '{"id":"42"}' },
      { reason: 'no id', raw: '{}' },
    ])
    await log.quarantine('markets', [{ key: '42', reason: 'volumeNum: expected number', raw: '{"id":"42"}' }])
    log.count('rows', 5)
    await log.finish('succeeded')

    const [run] = await warehouse.query<{
      status: string
      arguments: string
      counts: Record<string, string>
    }>('SELECT status, arguments, counts FROM etl_runs FINAL WHERE run_id = {id:String}', { id: log.runId })
    expect(run?.status).toBe('succeeded')
    expect(run?.arguments).toBe('backfill --clickhouse-password *** --clickhouse-url=http://db:8123')
    expect(run?.arguments).not.toMatch(/hunter2|s3cret/)
    expect(run?.counts).toEqual({ errors: '1', quarantined: '3', rows: '5' })
    expect(await warehouse.query('SELECT status, rows_written FROM etl_jobs FINAL')).toEqual([
      { status: 'completed', rows_written: '5' },
    ])
    const [error] = await warehouse.query<{ message: string; attempts: number }>(
      'SELECT message, attempts FROM etl_errors',
    )
    expect(error).toEqual({ message: 'HTTP 503 from http://x', attempts: 6 })
    const quarantined = await warehouse.query<{ record_key: string }>(
      'SELECT record_key FROM etl_quarantine FINAL ORDER BY record_key',
    )
    expect(quarantined.map((row) => row.record_key)).toEqual([
      '42',
      '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
    ])
  })

  it('redacts a password given as the next argument or inline', () => {
    expect(redactArguments(['--password', 'pw', '--user', 'u', '--password=pw2'])).toEqual([
      '--password',
      '***',
      '--user',
      'u',
      '--password=***',
    ])
  })
})
