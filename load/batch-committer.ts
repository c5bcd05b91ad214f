// The checkpoint protocol, batched: the rows of many units (pages, wallets) go in as one insert
// per table, and only after ClickHouse acknowledged all of them are the units' checkpoint rows
// written. Each insert makes a part in ClickHouse; one per page would keep the engine merging,
// and a round trip per table per page is what made the markets walk engine-bound.

import { commitRows } from './commit.ts'
import type { QuarantinedRecord, RunLog } from './run-log.ts'
import type { Warehouse } from './warehouse.ts'

/** Rows per commit: large enough that inserts are few, small enough to hold (~10 MB of Gamma JSON). */
export const BATCH_ROWS = 2_000
/** A partial batch is committed after this long, so checkpoints lag the fetches by little. */
export const BATCH_DELAY_MS = 1_000
/** Rows fetched but not yet committed before fetchers wait: the batch in flight and the next one. */
export const MAX_PENDING_ROWS = 2 * BATCH_ROWS

export interface PendingUnit {
  /** Names the unit in deduplication tokens and errors. */
  unit: string
  /** Data rows by table, inserted first. */
  rows: Record<string, readonly object[]>
  /** Records that failed validation, by stream. */
  quarantine?: Record<string, readonly QuarantinedRecord[]>
  /** Checkpoint rows by table (etl_checkpoints, wallets, …), inserted only after the data. */
  after: Record<string, readonly object[]>
}

interface Queued {
  unit: PendingUnit
  size: number
  resolve: () => void
  reject: (error: unknown) => void
}

export class BatchCommitter {
  private queue: Queued[] = []
  private queuedRows = 0
  private inFlightRows = 0
  private chain: Promise<void> = Promise.resolve()
  private failure: { error: unknown } | undefined
  private timer: NodeJS.Timeout | undefined
  private roomWaiters: (() => void)[] = []

  constructor(
    private readonly warehouse: Warehouse,
    private readonly runLog: RunLog,
    private readonly options: { batchRows?: number; delayMs?: number } = {},
  ) {}

  /** Queues a unit; resolves once its rows and then its checkpoint rows are in the warehouse. */
  add(unit: PendingUnit): Promise<void> {
    if (this.failure) return Promise.reject(this.failure.error)
    const size = Math.max(
      1,
      Object.values(unit.rows).reduce((sum, rows) => sum + rows.length, 0),
    )
    const committed = new Promise<void>((resolve, reject) => this.queue.push({ unit, size, resolve, reject }))
    // A caller that stops early (interrupted, or failed on another unit) may never await this one.
    committed.catch(() => {})
    this.queuedRows += size
    if (this.queuedRows >= (this.options.batchRows ?? BATCH_ROWS)) this.schedule()
    else this.timer ??= setTimeout(() => this.schedule(), this.options.delayMs ?? BATCH_DELAY_MS)
    return committed
  }

  /** Resolves when a fetcher may queue more (memory stays bounded); throws once a commit failed. */
  async room(): Promise<void> {
    while (!this.failure && this.queuedRows + this.inFlightRows >= MAX_PENDING_ROWS) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve))
    }
    if (this.failure) throw this.failure.error
  }

  /** Commits everything queued and waits for it. */
  async flush(): Promise<void> {
    this.schedule()
    await this.chain
    if (this.failure) throw this.failure.error
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (this.queue.length === 0) return
    const batch = this.queue
    this.queue = []
    this.inFlightRows += this.queuedRows
    this.queuedRows = 0
    this.chain = this.chain.then(() => this.commit(batch))
  }

  private async commit(batch: Queued[]): Promise<void> {
    const size = batch.reduce((sum, queued) => sum + queued.size, 0)
    try {
      if (this.failure) throw this.failure.error
      const name = `${batch[0]?.unit.unit}..${batch[batch.length - 1]?.unit.unit} (${batch.length})`
      for (const [table, rows] of gather(batch, 'rows')) await commitRows(this.warehouse, table, name, rows)
      for (const [stream, records] of gather(batch, 'quarantine'))
        await this.runLog.quarantine(stream, records as QuarantinedRecord[])
      // Only now is every unit of the batch in the warehouse: record them done.
      for (const [table, rows] of gather(batch, 'after')) await this.warehouse.insert(table, rows)
      for (const queued of batch) queued.resolve()
    } catch (error) {
      this.failure ??= { error }
      for (const queued of [...batch, ...this.queue]) queued.reject(error)
      this.queue = []
    } finally {
      this.inFlightRows -= size
      for (const wake of this.roomWaiters.splice(0)) wake()
    }
  }
}

function gather(batch: Queued[], key: 'rows' | 'quarantine' | 'after'): Map<string, object[]> {
  const tables = new Map<string, object[]>()
  for (const { unit } of batch) {
    for (const [table, rows] of Object.entries(unit[key] ?? {})) {
      const list = tables.get(table) ?? []
      for (const row of rows as readonly object[]) list.push(row)
      tables.set(table, list)
    }
  }
  return tables
}
