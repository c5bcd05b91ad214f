// One pass of the block-range engine: every endpoint runs its own workers over one shared pool of
// gaps, so whichever endpoint is free takes the next range and each one's share follows its measured
// pace (its limiter, its latency, its range size). A range that fails on one endpoint after its
// retries is handed to another before it is recorded failed; an endpoint that keeps failing sits out
// a while, one refused for good (a bad key) leaves the run; the run stops only when none is left.
import type { BlockRange, RangeSet } from '../../checkpoints/range-set.ts'
import { attemptsOf, InterruptedError, PolyhouseError } from '../../core/errors.ts'
import { sleep } from '../../core/sleep.ts'
import { blockCount } from '../../extract/chain/adaptive-range.ts'
import { MAX_ATTEMPTS, withRetry } from '../../extract/http/retry.ts'
import { rowBufferBudget } from '../../load/engine-memory.ts'
import { MAX_FREE_ROW_BYTES, RowBuffers } from '../../load/row-buffers.ts'
import type { StepContext, UnitFailure } from '../step.ts'
import { COMMIT_ROWS, createRangeCommitter } from './commit.ts'
import { BENCH_MS, type ChainEndpoint, HEAD_REFRESH_MS } from './endpoints.ts'

export { TARGET_LOGS_PER_REQUEST } from './endpoints.ts'

import type { BlockRangeOutcome, BlockRangeRun } from './engine.ts'
import {
  type FetchContext,
  fetchRange,
  type HeaderCache,
  type RangeResult,
  RangeTooLargeError,
  tolerant,
} from './fetch.ts'
import { type Claim, RangePool } from './range-pool.ts'
import { tokenSalt } from './reorg.ts'

/**
 * Ranges in flight at once per endpoint. A getLogs answer takes from ~100 ms (a local node) to
 * seconds (a busy provider), so a handful keeps any plausible rate limit busy; the limiter, not this
 * number, sets the pace. More would only hold more responses in memory (each endpoint holds its
 * own: answers sized for TARGET_LOGS_PER_REQUEST are ~11 MB, so ~45 MB per endpoint at most).
 */
export const RANGE_CONCURRENCY = 4
/**
 * Ranges whose last block is this close to the tip carry their end block's header in the same
 * batch (reorg.ts): 512 blocks (~18 min) is three times Polygon's deepest reorg on record.
 */
export const REORG_WINDOW_BLOCKS = 512
/**
 * Ranges that fail after all retries in a row on one endpoint: the endpoint is down, not one range
 * bad. With other endpoints it sits out BENCH_MS; the last one standing stops the run.
 */
export const CONSECUTIVE_FAILURES_TO_STOP = 8
/**
 * Attempts of a range on one endpoint when another could take it: a failing endpoint costs a
 * range ~3 s of backoff (1 + 2 s caps) before a healthy one gets it, instead of ~30 s.
 */
export const HANDOFF_ATTEMPTS = 3
/**
 * After an interruption, how long answers already on their way may take to arrive and be committed.
 * SIGTERM should end the process within 5 s with its checkpoints committed: 2 s of grace plus one
 * commit.
 */
export const ABORT_GRACE_MS = 2_000

export interface PassState {
  headers: HeaderCache
  target: RangeSet
  outcome: BlockRangeOutcome
}

/** Fetches and commits `gaps`; false when the run must stop (interrupted, every endpoint failing). */
export async function fetchGaps(
  context: StepContext,
  run: BlockRangeRun,
  gaps: RangeSet,
  shared: PassState,
): Promise<boolean> {
  const { signal, reporter, runLog } = context
  const { outcome } = shared
  const { endpoints } = run
  const stop = new AbortController()
  const onAbort = () => stop.abort(signal.reason)
  signal.addEventListener('abort', onAbort, { once: true })
  const pool = new RangePool(gaps)
  let covered = shared.target.covered() - gaps.covered()
  const rowsBefore = outcome.rows
  const { insertMs: insertBefore, checkpointMs: checkpointBefore, commits: commitsBefore } = outcome.timings
  // Row buffers go from the fetchers to the committer and, once inserted, back; under
  // --memory-limit both the batches and the free buffers are smaller.
  const { config } = context.warehouse
  const budget = rowBufferBudget(config.kind === 'embedded' ? config.memoryLimitBytes : undefined, {
    commitRows: COMMIT_ROWS,
    maxFreeBytes: MAX_FREE_ROW_BYTES,
  })
  const rowBuffers = new RowBuffers(budget.maxFreeBytes)
  const committer = createRangeCommitter({
    warehouse: context.warehouse,
    checkpoints: context.checkpoints,
    runLog,
    stream: run.stream,
    salt: await tokenSalt(context.checkpoints, run.stream.stream),
    commitRows: run.commitRows ?? budget.commitRows,
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
  const encoder = run.stream.encoder()
  const fetchContextOf = (endpoint: ChainEndpoint): FetchContext => ({
    rpc: endpoint.rpc,
    runId: runLog.runId,
    stream: run.stream,
    encoder,
    headers: shared.headers,
    rowBuffers,
  })
  let fatal: unknown
  const usable = () => endpoints.filter((endpoint) => endpoint.usable)

  const fail = async (range: BlockRange, error: unknown, endpoint: string) => {
    const unit = `${range.from}-${range.to}`
    const message = error instanceof Error ? error.message : String(error)
    outcome.failures.push({ unit, error: message } satisfies UnitFailure)
    await runLog.error({
      stream: run.stream.stream,
      unit,
      error,
      attempts: attemptsOf(error),
      url: endpoint,
    })
    reporter.update({ errors: outcome.failures.length })
  }

  /**
   * Nothing is in flight and no usable endpoint can claim what is left: ranges every endpoint
   * failed are recorded failed; blocks above every endpoint's head (the one ahead left the run) stay
   * not done for the next run, once the heads, asked again, still do not reach them.
   */
  let headsRefreshed = false
  const settleStranded = async () => {
    if (pool.busy) return
    const able = usable()
    for (const claim of pool.takeUnservable(able)) {
      const last = claim.lastFailure
      await fail(claim.range, last?.error, last?.endpoint ?? '')
    }
    if (pool.idle || able.some((endpoint) => pool.claimable(endpoint))) return
    if (!headsRefreshed) {
      headsRefreshed = true
      await Promise.all(able.map((endpoint) => endpoint.refreshHead(stop.signal)))
      if (able.some((endpoint) => pool.claimable(endpoint))) return
    }
    for (const range of pool.abandonFree()) {
      reporter.note(
        `blocks ${range.from}–${range.to} are above the head of every endpoint left in this run; the next run fetches them`,
      )
    }
  }

  /** True when an endpoint other than `endpoint`, still in the run, has not tried `claim` and reaches its end. */
  const canTakeOver = (claim: Claim, endpoint: ChainEndpoint) =>
    usable().some(
      (other) => other !== endpoint && !claim.triedBy.has(other.name) && claim.range.to <= other.head,
    )

  /** The endpoint failed `claim` after its retries: another endpoint takes it, or it is recorded failed. */
  const failedOn = async (endpoint: ChainEndpoint, claim: Claim, error: unknown) => {
    endpoint.figures.failedRanges++
    endpoint.noteError(error)
    claim.triedBy.add(endpoint.name)
    claim.lastFailure = { endpoint: endpoint.name, error }
    const others = usable().filter((other) => other !== endpoint)
    if (canTakeOver(claim, endpoint)) {
      endpoint.figures.handedOff++
      pool.handOff(claim)
    } else {
      pool.finish()
      await fail(claim.range, error, endpoint.name)
    }
    if (++endpoint.consecutiveFailures < CONSECUTIVE_FAILURES_TO_STOP) return
    if (others.some((other) => other.benchedForMs() === 0)) {
      if (endpoint.benchedForMs() === 0) {
        reporter.note(
          `${endpoint.name}: ${endpoint.consecutiveFailures} ranges failed in a row; the other endpoints carry the run, it tries again in ${BENCH_MS / 1000} s`,
        )
      }
      endpoint.bench()
      return
    }
    // The last endpoint standing keeps failing: the source is down, not one range bad.
    fatal ??= error
    stop.abort(error)
  }

  const worker = async (endpoint: ChainEndpoint) => {
    const fetchContext = fetchContextOf(endpoint)
    while (!stop.signal.aborted && endpoint.usable) {
      // A failed commit ends the run: flush() below throws it.
      await committer.room().catch(() => {})
      if (committer.error || stop.signal.aborted) return
      const benched = endpoint.benchedForMs()
      if (benched > 0) {
        if (pool.idle) return
        await pool.changed(benched)
        continue
      }
      const claim = pool.claim(endpoint.adaptive.size, endpoint)
      if (!claim) {
        if (pool.idle) return
        await settleStranded()
        if (pool.idle) return
        await pool.changed(HEAD_REFRESH_MS)
        if (Date.now() - endpoint.headReadAt >= HEAD_REFRESH_MS && !pool.claimable(endpoint)) {
          await endpoint.refreshHead(stop.signal).catch(() => {})
        }
        continue
      }
      // Few attempts only where another endpoint could still take the range: the last one able to
      // fetch it gives it every attempt, as a single endpoint would.
      const attempts = canTakeOver(claim, endpoint) ? HANDOFF_ATTEMPTS : MAX_ATTEMPTS
      try {
        for (;;) {
          try {
            const fetchStarted = performance.now()
            const result = await fetchWithRetries(fetchContext, run, claim.range, stop.signal, attempts)
            const fetchMs = performance.now() - fetchStarted
            outcome.timings.fetchMs += fetchMs
            endpoint.fetched(result, fetchMs)
            pool.finish()
            endpoint.consecutiveFailures = 0
            outcome.quarantined += result.quarantined.length
            void committer.add(result)
            break
          } catch (error) {
            if (!(error instanceof RangeTooLargeError)) throw error
            endpoint.figures.tooLarge++
            const current = claim.range
            const shrink = endpoint.adaptive.onTooLarge(current, error.classification)
            if (shrink.exhausted) throw error
            const smaller = { from: current.from, to: Math.min(current.to, current.from + shrink.size - 1) }
            pool.release({ from: smaller.to + 1, to: current.to })
            reporter.note(
              `${endpoint.name}: range [${current.from}, ${current.to}] too large (${error.classification.rule}); now ${shrink.size} blocks`,
            )
            claim.range = smaller
          }
        }
      } catch (error) {
        if (error instanceof InterruptedError || stop.signal.aborted) {
          pool.giveBack(claim.range)
          return
        }
        if (error instanceof PolyhouseError && !error.retryable && !(error instanceof RangeTooLargeError)) {
          // The provider refuses us for good (bad URL, key, plan): no other range will fare better
          // here. (A range still too large at one block is that range's failure, recorded below.)
          endpoint.setDown(error)
          pool.giveBack(claim.range)
          const left = usable()
          if (left.length === 0) {
            fatal ??= error
            stop.abort(error)
          } else {
            reporter.note(
              `${endpoint.name} left the run: ${error instanceof Error ? error.message : String(error)}; ${left.map((other) => other.name).join(', ')} carry on`,
            )
          }
          return
        }
        await failedOn(endpoint, claim, error)
      }
    }
  }

  try {
    const concurrency = run.concurrency ?? RANGE_CONCURRENCY
    const workers = Promise.all(
      endpoints.flatMap((endpoint) => Array.from({ length: concurrency }, () => worker(endpoint))),
    )
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
  maxAttempts: number,
): Promise<RangeResult> {
  const withHeader = range.to > run.tip - REORG_WINDOW_BLOCKS
  return await withRetry(() => tolerant(() => fetchRange(context, range, withHeader)), {
    signal,
    maxAttempts,
    label: `eth_getLogs [${range.from}, ${range.to}]`,
  })
}
