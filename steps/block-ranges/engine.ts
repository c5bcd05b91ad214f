// The block-range engine: fetches every block range of a log stream that is not yet recorded done,
// from one or several RPC endpoints at once (workers.ts), each under its own rate limit and range
// size, with batched commits, reorg checks before and after, and `--shard i/n`. The fills step and
// the transfers step are the same engine with another LogStream.
import { RangeSet, type Shard, shardRanges } from '../../checkpoints/range-set.ts'
import type { StepContext, StepOutcome } from '../step.ts'
import { byHead, type ChainEndpoint, isReachError } from './endpoints.ts'
import { HeaderCache } from './fetch.ts'
import { type ChainState, checkHead, clearUnrecordedRows } from './reorg.ts'
import type { LogStream } from './types.ts'
import { fetchGaps, REORG_WINDOW_BLOCKS } from './workers.ts'

export {
  ABORT_GRACE_MS,
  CONSECUTIVE_FAILURES_TO_STOP,
  HANDOFF_ATTEMPTS,
  RANGE_CONCURRENCY,
  REORG_WINDOW_BLOCKS,
  TARGET_LOGS_PER_REQUEST,
} from './workers.ts'

/** Reorg checks per run: after the last pass the head is checked once more, and rewound gaps refetched. */
const MAX_PASSES = 4

export interface BlockRangeRun {
  stream: LogStream
  /**
   * Where the logs come from: one or more endpoints of the same chain, each paced by its own
   * limiter (which slows down and pauses on that endpoint's 429s by itself) and holding its head.
   */
  endpoints: ChainEndpoint[]
  from: number
  /** Last block to read, already at the confirmation depth. */
  to: number
  /** The chain head when the run started (the highest endpoint's): ranges near it carry their end header (reorg checks). */
  tip: number
  shard: Shard
  /** Ranges in flight per endpoint (default RANGE_CONCURRENCY). */
  concurrency?: number | undefined
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
  const headers = new HeaderCache()

  for (let pass = 0; pass < MAX_PASSES && !signal.aborted; pass++) {
    const rewound = await checkReorg(context, run)
    if (rewound !== undefined) outcome.rewinds.push(rewound)
    else if (pass > 0) break
    const done = await checkpoints.ranges(run.stream.stream)
    const gaps = target.difference(done)
    const nearTip = gaps.intersection(
      RangeSet.of({ from: Math.max(0, run.tip - REORG_WINDOW_BLOCKS), to: run.tip }),
    )
    if (!nearTip.isEmpty) await clearUnrecordedRows(chainState(context, run, undefined), nearTip.ranges())
    reporter.update({ unit: 'blocks', total: targetBlocks, done: target.covered() - gaps.covered() })
    if (gaps.isEmpty) break
    const fetched = await fetchGaps(context, run, gaps, { headers, target, outcome })
    if (!fetched) break
  }
  const done = await checkpoints.ranges(run.stream.stream)
  outcome.coveredBlocks = target.intersection(done).covered()
  outcome.complete =
    !signal.aborted && outcome.failures.length === 0 && outcome.coveredBlocks === targetBlocks
  reporter.update({ unit: 'blocks', total: targetBlocks, done: outcome.coveredBlocks, rows: outcome.rows })
  return outcome
}

/**
 * The reorg check, asked of the endpoint with the highest head (a lagging one has no header for the
 * newest blocks done, and would only skip the check); when that one cannot be reached, of the next.
 */
async function checkReorg(context: StepContext, run: BlockRangeRun): Promise<number | undefined> {
  const candidates = byHead(run.endpoints)
  for (const [i, endpoint] of candidates.entries()) {
    try {
      return await checkHead(chainState(context, run, endpoint))
    } catch (error) {
      if (!isReachError(error) || i === candidates.length - 1) throw error
      endpoint.noteError(error)
      context.reporter.note(`reorg check: ${endpoint.name} did not answer; asking ${candidates[i + 1]?.name}`)
    }
  }
  return undefined
}

function chainState(
  context: StepContext,
  run: BlockRangeRun,
  endpoint: ChainEndpoint | undefined,
): ChainState {
  return {
    warehouse: context.warehouse,
    checkpoints: context.checkpoints,
    rpc: (endpoint ?? (run.endpoints[0] as ChainEndpoint)).rpc,
    stream: run.stream.stream,
    tables: run.stream.reorgTables,
    blocks: run.stream.blocksTable,
    shard: run.shard,
    reporter: context.reporter,
    signal: context.signal,
  }
}
