// A Step over a log stream: the chain step is `createLogStreamStep('chain', FILLS_STREAM, …)`, the
// transfers step (issue 8) the same call with its own stream. Resolves the span (deployment block to
// tip − confirmations), connects to the RPC endpoint under its rate limit, and runs the engine.
import type { Shard } from '../../checkpoints/range-set.ts'
import { UsageError } from '../../core/errors.ts'
import { redactUrl } from '../../core/redact.ts'
import {
  type AdaptiveRangeOptions,
  INITIAL_RANGE_BLOCKS,
  MAX_RANGE_BLOCKS,
} from '../../extract/chain/adaptive-range.ts'
import { POLYGON_CHAIN_ID } from '../../extract/chain/contracts.ts'
import { RpcClient } from '../../extract/chain/rpc.ts'
import { describePause } from '../../extract/http/endpoint.ts'
import { perSecond, type RateLimit } from '../../extract/http/rates.ts'
import { withRetry } from '../../extract/http/retry.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import type { Step, StepContext, StepName, StepOutcome, StepPlan } from '../step.ts'
import { blockCoverage } from './coverage.ts'
import { type BlockRangeOutcome, runBlockRanges, TARGET_LOGS_PER_REQUEST } from './engine.ts'
import type { LogStream } from './types.ts'

/** How long `--dry-run` waits for the tip before estimating without it. */
const PLAN_TIP_TIMEOUT_MS = 10_000

export interface LogStreamOptions {
  rpcUrl: string
  fromBlock: number
  toBlock?: number | undefined
  confirmations: number
  shard: Shard
  rpcRate: RateLimit
  /** Longest pause the endpoint's Retry-After may impose (MAX_PAUSE_MS by default). */
  maxPauseMs?: number | undefined
  concurrency?: number | undefined
  /** eth_chainId the endpoint must report (Polygon PoS; anvil and the simulator are started as 137). */
  chainId?: number | undefined
  /** Runs after the engine finished (e.g. refreshing what the views look rows up in). */
  afterRun?: ((warehouse: Warehouse) => Promise<void>) | undefined
}

export interface LogStreamDeps {
  /** A ready RPC client (tests); otherwise one is made for `rpcUrl`, paced at `rpcRate`. */
  rpc?: RpcClient | undefined
  /** Range sizes (tests and benches; defaults from extract/chain/adaptive-range.ts). */
  adaptive?: AdaptiveRangeOptions | undefined
  /** Rows per insert (tests and benches; default COMMIT_ROWS in commit.ts). */
  commitRows?: number | undefined
}

export interface LogStreamStep extends Step {
  /** The engine's figures of the last run (rewinds, coverage, quarantined logs), for tests and benches. */
  readonly lastRun: BlockRangeOutcome | undefined
}

export function createLogStreamStep(
  name: StepName,
  stream: LogStream,
  options: LogStreamOptions,
  deps: LogStreamDeps = {},
): LogStreamStep {
  let lastRun: BlockRangeOutcome | undefined

  /** The endpoint's client: its own limiter at `rpcRate`; long pauses become notes of this step. */
  const connect = (reporter: StepContext['reporter'] | undefined, timeoutMs?: number) => {
    if (deps.rpc) return { rpc: deps.rpc, close: async () => {} }
    const rpc = new RpcClient({
      url: options.rpcUrl,
      rate: options.rpcRate,
      maxPauseMs: options.maxPauseMs,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      onPause: reporter ? (pause) => reporter.note(describePause(pause)) : undefined,
    })
    return { rpc, close: () => rpc.close() }
  }

  return {
    name,
    get lastRun() {
      return lastRun
    },

    async plan(context): Promise<StepPlan> {
      const { rpc, close } = connect(undefined, PLAN_TIP_TIMEOUT_MS)
      let tip: number | undefined
      try {
        tip = await rpc.blockNumber()
      } catch {
        tip = undefined
      } finally {
        await close()
      }
      const to =
        tip === undefined
          ? options.toBlock
          : Math.min(options.toBlock ?? Number.POSITIVE_INFINITY, tip - options.confirmations)
      const coverage = await blockCoverage(context.checkpoints, stream.stream, {
        from: options.fromBlock,
        to,
        shard: options.shard,
      })
      const remaining = coverage.blocks - coverage.covered
      const density = coverage.covered > 0 ? coverage.rows / coverage.covered : 0
      const rangeBlocks =
        density > 0
          ? Math.max(1, Math.min(MAX_RANGE_BLOCKS, Math.floor(TARGET_LOGS_PER_REQUEST / density)))
          : INITIAL_RANGE_BLOCKS
      const requests = coverage.gaps.reduce(
        (sum, gap) => sum + Math.ceil((gap.to - gap.from + 1) / rangeBlocks),
        0,
      )
      return {
        unit: 'blocks',
        done: coverage.covered,
        remaining,
        requests,
        seconds: requests / perSecond(options.rpcRate),
        detail: [
          `${coverage.gaps.length} gaps in [${coverage.from}, ${coverage.to}]`,
          tip === undefined
            ? 'tip unknown (RPC unreachable): the span ends at the highest block done'
            : `tip ${tip}`,
          density > 0 ? `~${density.toFixed(2)} rows per block so far` : 'no density yet: ranges start small',
          options.shard.count > 1 ? `shard ${options.shard.index}/${options.shard.count}` : '',
        ]
          .filter(Boolean)
          .join('; '),
      }
    },

    async run(context: StepContext): Promise<StepOutcome> {
      const { rpc, close } = connect(context.reporter)
      try {
        const retry = { signal: context.signal, label: `${stream.stream}: ${redactUrl(options.rpcUrl)}` }
        const chainId = await withRetry(() => rpc.chainId(), retry)
        const expected = options.chainId ?? POLYGON_CHAIN_ID
        if (chainId !== expected) {
          throw new UsageError(
            `${redactUrl(options.rpcUrl)} serves chain ${chainId}, not Polygon PoS (${expected})`,
            {
              hint: 'point POLYGON_RPC_URL (or --rpc-url) at a Polygon mainnet endpoint',
            },
          )
        }
        const tip = await withRetry(() => rpc.blockNumber(), retry)
        const safeHead = tip - options.confirmations
        let to = options.toBlock ?? safeHead
        if (to > safeHead) {
          context.reporter.note(
            `--to-block ${to} is above the tip (${tip}) minus ${options.confirmations} confirmations; reading to ${safeHead}`,
          )
          to = safeHead
        }
        lastRun = await runBlockRanges(context, {
          stream,
          rpc,
          from: options.fromBlock,
          to,
          tip,
          shard: options.shard,
          concurrency: options.concurrency,
          adaptive: deps.adaptive,
          commitRows: deps.commitRows,
        })
        await options.afterRun?.(context.warehouse)
        return { rows: lastRun.rows, failures: lastRun.failures, complete: lastRun.complete }
      } finally {
        // Interrupted: requests may still be in flight, and closing waits for them; do not.
        if (context.signal.aborted) void close().catch(() => {})
        else await close()
      }
    },

    async reset(context): Promise<void> {
      await context.checkpoints.reset(stream.stream)
    },
  }
}
