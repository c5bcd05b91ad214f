// The block-range engine: fetches every block range of a log stream that is not yet recorded done,
// several at once under the RPC rate limit, with adaptive range sizes, batched commits, reorg checks
// before and after, and `--shard i/n`. The fills step and the transfers step are the same engine
// with another LogStream.
import { type BlockRange, RangeSet, type Shard, shardRanges } from '../../checkpoints/range-set.ts'
import { attemptsOf, InterruptedError, PolyhouseError } from '../../core/errors.ts'
import { sleep } from '../../core/sleep.ts'
import { AdaptiveRange, type AdaptiveRangeOptions, blockCount } from '../../extract/chain/adaptive-range.ts'
import type { RpcClient } from '../../extract/chain/rpc.ts'
import { withRetry } from '../../extract/http/retry.ts'
import { RowBuffers } from '../../load/row-buffers.ts'
import type { StepContext, StepOutcome, UnitFailure } from '../step.ts'
import { createRangeCommitter } from './commit.ts'
import {
  type FetchContext,
  fetchRange,
  HeaderCache,
  type RangeResult,
  RangeTooLargeError,
  tolerant,
} from './fetch.ts'
import { type ChainState, checkHead, clearUnrecordedRows, tokenSalt } from './reorg.ts'
import type { LogStream } from './types.ts'

/**
 * Ranges in flight at once. A getLogs answer takes from ~100 ms (a local node) to seconds (a busy
 * provider), so a handful keeps any plausible rate limit busy; the limiter, not this number, sets
 * the pace. More would only hold more responses in memory.
 */
export const RANGE_CONCURRENCY = 4
/**
 * Ranges whose last block is this close to the tip carry their end block's header in the same
 * batch (reorg.ts): 512 blocks (~18 min) is three times Polygon's deepest reorg on record.
 */
export const REORG_WINDOW_BLOCKS = 512
/**
 * Logs one answer should carry: the result cap of geth (`--rpc.logs…`, 10,000) and Infura, so a
 * range sized for it is accepted by capped providers, and an uncapped node (anvil, an own node)
 * never sends one answer of hundreds of megabytes. Ranges are sized from the density just seen.
 */
export const TARGET_LOGS_PER_REQUEST = 10_000
/** Ranges that fail after all retries in a row before the run stops: the source is down, not one range bad. */
export const CONSECUTIVE_FAILURES_TO_STOP = 8
/** Reorg checks per run: after the last pass the head is checked once more, and rewound gaps refetched. */
const MAX_PASSES = 4
/**
 * After an interruption, how long answers already on their way may take to arrive and be committed.
 * SIGTERM should end the process within 5 s with its checkpoints committed: 2 s of grace plus one
 * commit.
 */
export const ABORT_GRACE_MS = 2_000

export interface BlockRangeRun {
  stream: LogStream
  /** Paced by its own limiter, which slows down and pauses on the endpoint's 429s by itself. */
  rpc: RpcClient
  from: number
  /** Last block to read, already at the confirmation depth. */
  to: number
  /** The chain head when the run started: ranges near it carry their end header (reorg checks). */
  tip: number
  shard: Shard
  concurrency?: number | undefined
  adaptive?: AdaptiveRangeOptions | undefined
  /** Rows per insert (tests: many small commits; default COMMIT_ROWS). */
  commitRows?: number | undefined
}

export interface BlockRangeOutcome extends StepOutcome {
  /** Where the time went (ms): waiting on RPC answers and decoding them, summed over ranges; committing. */
  timings: { fetchMs: number; insertMs: number; checkpointMs: number; commits: number }
  /** Blocks of the shard's span recorded done at the end. */
  coveredBlocks: number
  targetBlocks: number
  rewinds: number[]
  quarantined: number
}

/** Runs the engine over [from, to] (the shard's part of it) until every range is done or it stops. */
export async function runBlockRanges(context: StepContext, run: BlockRangeRun): Promise<BlockRangeOutcome> {
  const { checkpoints, reporter, signal } = context
  const target =
    run.from <= run.to ? shardRanges({ from: run.from, to: run.to }, run.shard) : RangeSet.empty()
  const targetBlocks = target.covered()
  const state: ChainState = {
    warehouse: context.warehouse,
    checkpoints,
    rpc: run.rpc,
    stream: run.stream.stream,
    tables: run.stream.reorgTables,
    blocks: run.stream.blocksTable,
    shard: run.shard,
    reporter,
    signal,
  }
  const outcome: BlockRangeOutcome = {
    rows: 0,
    failures: [],
    complete: false,
    coveredBlocks: 0,
    targetBlocks,
    rewinds: [],
    quarantined: 0,
    timings: { fetchMs: 0, insertMs: 0, checkpointMs: 0, commits: 0 },
  }
  const adaptive = new AdaptiveRange(run.adaptive)
  const headers = new HeaderCache()

  for (let pass = 0; pass < MAX_PASSES && !signal.aborted; pass++) {
    const rewound = await checkHead(state)
    if (rewound !== undefined) outcome.rewinds.push(rewound)
    else if (pass > 0) break
    const done = await checkpoints.ranges(run.stream.stream)
    const gaps = target.difference(done)
    const nearTip = gaps.intersection(
      RangeSet.of({ from: Math.max(0, run.tip - REORG_WINDOW_BLOCKS), to: run.tip }),
    )
    if (!nearTip.isEmpty) await clearUnrecordedRows(state, nearTip.ranges())
    reporter.update({ unit: 'blocks', total: targetBlocks, done: target.covered() - gaps.covered() })
    if (gaps.isEmpty) break
    const fetched = await fetchGaps(context, run, gaps, { adaptive, headers, target, outcome })
    if (!fetched) break
  }
  const done = await checkpoints.ranges(run.stream.stream)
  outcome.coveredBlocks = target.intersection(done).covered()
  outcome.complete =
    !signal.aborted && outcome.failures.length === 0 && outcome.coveredBlocks === targetBlocks
  reporter.update({ unit: 'blocks', total: targetBlocks, done: outcome.coveredBlocks, rows: outcome.rows })
  return outcome
}

/** Fetches and commits `gaps`; false when the run must stop (interrupted, failing source). */
async function fetchGaps(
  context: StepContext,
  run: BlockRangeRun,
  gaps: RangeSet,
  shared: { adaptive: AdaptiveRange; headers: HeaderCache; target: RangeSet; outcome: BlockRangeOutcome },
): Promise<boolean> {
  const { signal, reporter, runLog } = context
  const { adaptive, outcome } = shared
  const stop = new AbortController()
  const onAbort = () => stop.abort(signal.reason)
  signal.addEventListener('abort', onAbort, { once: true })
  const pool = new RangePool(gaps)
  let covered = shared.target.covered() - gaps.covered()
  const rowsBefore = outcome.rows
  const { insertMs: insertBefore, checkpointMs: checkpointBefore, commits: commitsBefore } = outcome.timings
  // Row buffers go from the fetchers to the committer and, once inserted, back.
  const rowBuffers = new RowBuffers()
  const committer = createRangeCommitter({
    warehouse: context.warehouse,
    checkpoints: context.checkpoints,
    runLog,
    stream: run.stream,
    salt: await tokenSalt(context.checkpoints, run.stream.stream),
    commitRows: run.commitRows,
    rowBuffers,
    onCommitted: (ranges, totals) => {
      covered += ranges.reduce((sum, range) => sum + blockCount(range), 0)
      outcome.rows = rowsBefore + totals.rows
      outcome.timings.insertMs = insertBefore + totals.insertMs
      outcome.timings.checkpointMs = checkpointBefore + totals.checkpointMs
      outcome.timings.commits = commitsBefore + totals.commits
      reporter.update({ done: covered, rows: outcome.rows, errors: outcome.failures.length })
    },
  })
  const fetchContext: FetchContext = {
    rpc: run.rpc,
    runId: runLog.runId,
    stream: run.stream,
    encoder: run.stream.encoder(),
    headers: shared.headers,
    rowBuffers,
  }
  let consecutiveFailures = 0
  let fatal: unknown

  const fail = async (range: BlockRange, error: unknown) => {
    const unit = `${range.from}-${range.to}`
    const message = error instanceof Error ? error.message : String(error)
    outcome.failures.push({ unit, error: message } satisfies UnitFailure)
    await runLog.error({
      stream: run.stream.stream,
      unit,
      error,
      attempts: attemptsOf(error),
    })
    reporter.update({ errors: outcome.failures.length })
  }

  const worker = async () => {
    while (!stop.signal.aborted) {
      // A failed commit ends the run: flush() below throws it.
      await committer.room().catch(() => {})
      if (committer.error || stop.signal.aborted) return
      const range = pool.claim(adaptive.size)
      if (!range) {
        if (pool.idle) return
        await pool.changed()
        continue
      }
      let current = range
      try {
        for (;;) {
          try {
            const fetchStarted = performance.now()
            const result = await fetchWithRetries(fetchContext, run, current, stop.signal)
            outcome.timings.fetchMs += performance.now() - fetchStarted
            adaptForDensity(adaptive, result)
            pool.finish(current)
            consecutiveFailures = 0
            outcome.quarantined += result.quarantined.length
            void committer.add(result)
            break
          } catch (error) {
            if (!(error instanceof RangeTooLargeError)) throw error
            const shrink = adaptive.onTooLarge(current, error.classification)
            if (shrink.exhausted) throw error
            const smaller = { from: current.from, to: Math.min(current.to, current.from + shrink.size - 1) }
            pool.release({ from: smaller.to + 1, to: current.to })
            reporter.note(
              `range [${current.from}, ${current.to}] too large (${error.classification.rule}); now ${shrink.size} blocks`,
            )
            current = smaller
          }
        }
      } catch (error) {
        if (error instanceof InterruptedError || stop.signal.aborted) {
          pool.giveBack(current)
          return
        }
        if (error instanceof PolyhouseError && !error.retryable && !(error instanceof RangeTooLargeError)) {
          // The provider refuses us for good (bad URL, key, plan): no other range will fare better.
          // (A range still too large at one block is that range's failure, recorded below.)
          pool.giveBack(current)
          fatal ??= error
          stop.abort(error)
          return
        }
        pool.finish(current)
        await fail(current, error)
        if (++consecutiveFailures >= CONSECUTIVE_FAILURES_TO_STOP) {
          fatal ??= error
          stop.abort(error)
        }
      }
    }
  }

  try {
    const workers = Promise.all(Array.from({ length: run.concurrency ?? RANGE_CONCURRENCY }, worker))
    // Once stopped, answers still in flight get a moment to arrive and be committed; a request that
    // hangs is not waited for (the process should exit within seconds of SIGTERM).
    const stopped = new Promise<void>((resolve) => {
      if (stop.signal.aborted) resolve()
      stop.signal.addEventListener('abort', () => resolve(), { once: true })
    }).then(() => sleep(ABORT_GRACE_MS))
    await Promise.race([workers, stopped])
    await committer.flush()
  } finally {
    committer.close()
    signal.removeEventListener('abort', onAbort)
  }
  if (fatal) {
    if (!outcome.failures.some((failure) => failure.error === (fatal as Error).message)) {
      outcome.failures.push({ unit: run.stream.stream, error: (fatal as Error).message ?? String(fatal) })
      await runLog.error({ stream: run.stream.stream, unit: run.stream.stream, error: fatal })
    }
    return false
  }
  return !signal.aborted
}

async function fetchWithRetries(
  context: FetchContext,
  run: BlockRangeRun,
  range: BlockRange,
  signal: AbortSignal,
): Promise<RangeResult> {
  const withHeader = range.to > run.tip - REORG_WINDOW_BLOCKS
  return await withRetry(() => tolerant(() => fetchRange(context, range, withHeader)), {
    signal,
    label: `eth_getLogs [${range.from}, ${range.to}]`,
  })
}

/** Grows after a light answer, shrinks toward TARGET_LOGS_PER_REQUEST after a heavy one. */
function adaptForDensity(adaptive: AdaptiveRange, result: RangeResult): void {
  const blocks = blockCount(result.range)
  if (result.logs <= TARGET_LOGS_PER_REQUEST / 2) {
    adaptive.onSuccess(result.range)
    return
  }
  if (result.logs <= TARGET_LOGS_PER_REQUEST || blocks === 1) return
  const size = Math.max(1, Math.floor((blocks * TARGET_LOGS_PER_REQUEST) / result.logs))
  adaptive.onTooLarge(result.range, {
    kind: 'too-many-results',
    suggestedRange: { from: result.range.from, to: result.range.from + size - 1 },
  })
}

/**
 * The blocks still to fetch. Workers claim from the lowest free block, so commits stay mostly
 * contiguous; a shrunk claim gives its tail back; a failed one is set aside until the next run.
 */
class RangePool {
  private free: RangeSet
  private inFlight = 0
  private listeners: (() => void)[] = []

  constructor(gaps: RangeSet) {
    this.free = gaps
  }

  get idle(): boolean {
    return this.free.isEmpty && this.inFlight === 0
  }

  claim(size: number): BlockRange | undefined {
    const first = this.free.ranges()[0]
    if (!first) return undefined
    const range = { from: first.from, to: Math.min(first.to, first.from + size - 1) }
    this.free = this.free.subtract(range.from, range.to)
    this.inFlight++
    return range
  }

  /** Gives blocks back to be claimed again (the tail of a shrunk claim). */
  release(range: BlockRange): void {
    if (range.from > range.to) return
    this.free = this.free.add(range.from, range.to)
    this.notify()
  }

  /** The claim ended: fetched, or failed after its retries (its blocks stay not done until the next run). */
  finish(_range: BlockRange): void {
    this.inFlight--
    this.notify()
  }

  /** An unfinished claim goes back to the free blocks (the run stops; nothing is lost). */
  giveBack(range: BlockRange): void {
    this.free = this.free.add(range.from, range.to)
    this.finish(range)
  }

  changed(): Promise<void> {
    return new Promise((resolve) => this.listeners.push(resolve))
  }

  private notify(): void {
    for (const listener of this.listeners.splice(0)) listener()
  }
}
