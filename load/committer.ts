// Steps 1 and 2 of the checkpoint protocol, batched: the rows of many units (pages, wallets, block
// ranges) go in together, and only once ClickHouse acknowledged them are the units' checkpoints
// written. Each insert makes a part in ClickHouse; one per unit would keep the engine merging, and a
// round trip per table per page is what made the markets walk engine-bound.
//
// The machinery is one; what a batch writes is the caller's: `UnitCommitter` below for the API
// sources' JSON rows, steps/block-ranges/commit.ts for the block ranges' encoded rows. Batches are
// written one after another, in the order they were formed; the first failure stops the committer.
import { InterruptedError } from '../core/errors.ts'
import { commitRows } from './commit.ts'
import type { QuarantinedRecord, RunLog } from './run-log.ts'
import type { Warehouse } from './warehouse.ts'

export interface CommitterOptions<Unit> {
  /**
   * Writes one batch: the rows, then — only once the warehouse acknowledged them — the checkpoints.
   * Resolves when both are in; a rejection is the committer's failure.
   */
  write: (batch: Unit[]) => Promise<void>
  /** Rows a unit brings: what batch size and back-pressure count. */
  rowsOf: (unit: Unit) => number
  /** A batch is committed once its units hold this many rows. */
  batchRows: number
  /** A partial batch is committed this long after its first unit came, so checkpoints never lag far. */
  delayMs: number
  /** Rows queued or being written before `room()` makes fetchers wait (default: twice `batchRows`). */
  maxPendingRows?: number
}

interface Queued<Unit> {
  unit: Unit
  rows: number
  resolve: () => void
  reject: (error: unknown) => void
}

export class Committer<Unit> {
  private queue: Queued<Unit>[] = []
  private queuedRows = 0
  private writingRows = 0
  private chain: Promise<void> = Promise.resolve()
  private failure: { error: unknown } | undefined
  private closed = false
  private timer: NodeJS.Timeout | undefined
  private roomWaiters: (() => void)[] = []
  private readonly maxPendingRows: number

  constructor(private readonly options: CommitterOptions<Unit>) {
    this.maxPendingRows = options.maxPendingRows ?? 2 * options.batchRows
  }

  /** The failure that stopped the committer (the warehouse refused a batch), if one did. */
  get error(): unknown {
    return this.failure?.error
  }

  /**
   * Queues a unit; resolves once its rows and then its checkpoints are in the warehouse, rejects when
   * its batch failed. Callers that only need the end may ignore it: `flush()` reports the failure.
   */
  add(unit: Unit): Promise<void> {
    if (this.failure) return ignored(Promise.reject(this.failure.error))
    // Stopped: a late unit (an answer that arrived after its run gave up on it) stays not done.
    if (this.closed) {
      const late = new InterruptedError('a unit came after its committer closed: it stays not done')
      return ignored(Promise.reject(late))
    }
    const rows = this.options.rowsOf(unit)
    const committed = new Promise<void>((resolve, reject) => this.queue.push({ unit, rows, resolve, reject }))
    this.queuedRows += rows
    if (this.queuedRows >= this.options.batchRows) this.schedule()
    else this.timer ??= setTimeout(() => this.schedule(), this.options.delayMs)
    return ignored(committed)
  }

  /** Resolves when a fetcher may queue more (memory stays bounded); throws once a batch failed. */
  async room(): Promise<void> {
    while (!this.failure && this.queuedRows + this.writingRows >= this.maxPendingRows) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve))
    }
    if (this.failure) throw this.failure.error
  }

  /** Commits everything queued and waits for it; throws the failure if a batch failed. */
  async flush(): Promise<void> {
    this.schedule()
    await this.chain
    if (this.failure) throw this.failure.error
  }

  /** Takes no more units (later ones are dropped, not done) and stops the timer. */
  close(): void {
    this.closed = true
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private schedule(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.queue.length === 0) return
    const batch = this.queue
    const rows = this.queuedRows
    this.queue = []
    this.queuedRows = 0
    this.writingRows += rows
    this.chain = this.chain.then(() => this.commit(batch, rows))
  }

  private async commit(batch: Queued<Unit>[], rows: number): Promise<void> {
    try {
      if (this.failure) throw this.failure.error
      await this.options.write(batch.map((queued) => queued.unit))
      for (const queued of batch) queued.resolve()
    } catch (error) {
      this.failure ??= { error }
      // Nothing after a failed batch is written: its units, and those queued since, stay not done.
      for (const queued of [...batch, ...this.queue]) queued.reject(this.failure.error)
      this.queue = []
      this.queuedRows = 0
      clearTimeout(this.timer)
      this.timer = undefined
    } finally {
      this.writingRows -= rows
      for (const wake of this.roomWaiters.splice(0)) wake()
    }
  }
}

/** A caller that stops early (interrupted, failed on another unit) may never await a unit's promise. */
function ignored(promise: Promise<void>): Promise<void> {
  promise.catch(() => {})
  return promise
}

/** Rows per batch of API units: inserts are few, and a batch is small to hold (~10 MB of Gamma JSON). */
export const BATCH_ROWS = 2_000
/** A partial batch of API units is committed after this long, so checkpoints lag the fetches by little. */
export const BATCH_DELAY_MS = 1_000

/** One unit of an API source (a Gamma page, a wallet's positions): rows as objects, then checkpoints. */
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

/**
 * The committer of the API sources: a batch's rows go in as one JSONEachRow insert per table
 * (commit.ts: a token hashing the rows), then its quarantined records, then its checkpoint rows.
 */
export class UnitCommitter extends Committer<PendingUnit> {
  constructor(warehouse: Warehouse, runLog: RunLog, options: { batchRows?: number; delayMs?: number } = {}) {
    super({
      batchRows: options.batchRows ?? BATCH_ROWS,
      delayMs: options.delayMs ?? BATCH_DELAY_MS,
      // A unit without rows (a wallet with no positions) still holds its checkpoint: count it.
      rowsOf: (unit) =>
        Math.max(
          1,
          Object.values(unit.rows).reduce((sum, rows) => sum + rows.length, 0),
        ),
      write: (batch) => writeUnits(warehouse, runLog, batch),
    })
  }
}

async function writeUnits(warehouse: Warehouse, runLog: RunLog, batch: PendingUnit[]): Promise<void> {
  const name = `${batch[0]?.unit}..${batch[batch.length - 1]?.unit} (${batch.length})`
  for (const [table, rows] of gather(batch, 'rows')) await commitRows(warehouse, table, name, rows)
  for (const [stream, records] of gather(batch, 'quarantine'))
    await runLog.quarantine(stream, records as QuarantinedRecord[])
  // Only now is every unit of the batch in the warehouse: record them done.
  for (const [table, rows] of gather(batch, 'after')) await warehouse.insert(table, rows)
}

function gather(batch: PendingUnit[], key: 'rows' | 'quarantine' | 'after'): Map<string, object[]> {
  const tables = new Map<string, object[]>()
  for (const unit of batch) {
    for (const [table, rows] of Object.entries(unit[key] ?? {})) {
      const list = tables.get(table) ?? []
      for (const row of rows as readonly object[]) list.push(row)
      tables.set(table, list)
    }
  }
  return tables
}
