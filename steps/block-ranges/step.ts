// A Step over a log stream: the chain step is `createLogStreamStep('chain', FILLS_STREAM, …)`, the
// transfers step the same call with its own stream. Resolves the span (deployment block to the
// highest endpoint's tip − confirmations), connects to each RPC endpoint under its own rate limit,
// runs the engine, and records how each endpoint fared (etl_rpc_endpoints, for `status`).
import type { Shard } from '../../checkpoints/range-set.ts'
import { InterruptedError, UsageError } from '../../core/errors.ts'
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
import { ChainEndpoint, endpointNames } from './endpoints.ts'
import {
  type BlockRangeOutcome,
  HANDOFF_ATTEMPTS,
  runBlockRanges,
  TARGET_LOGS_PER_REQUEST,
} from './engine.ts'
import type { LogStream } from './types.ts'

/** How long `--dry-run` waits for the tip before estimating without it. */
const PLAN_TIP_TIMEOUT_MS = 10_000
/** How often each endpoint's figures are written for `status` while the stream runs. */
export const ENDPOINT_REPORT_MS = 15_000

export interface LogStreamOptions {
  /** One or more endpoints of the same chain (`--rpc-url`, repeatable; POLYGON_RPC_URL(S)). */
  rpcUrls: readonly string[]
  fromBlock: number
  toBlock?: number | undefined
  confirmations: number
  shard: Shard
  /** Each endpoint's own limit: every endpoint gets a limiter of its own at this rate. */
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
  /** A ready RPC client (tests); otherwise one is made per URL of `rpcUrls`, each paced at `rpcRate`. */
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

  /** One client per endpoint, each with its own limiter at `rpcRate`; long pauses become notes of this step. */
  const connect = (reporter: StepContext['reporter'] | undefined, timeoutMs?: number) => {
    if (deps.rpc)
      return { clients: [{ name: redactUrl(deps.rpc.url), rpc: deps.rpc }], close: async () => {} }
    const names = endpointNames(options.rpcUrls)
    const clients = options.rpcUrls.map((url, i) => {
      const name = names[i] as string
      const rpc = new RpcClient({
        url,
        rate: options.rpcRate,
        maxPauseMs: options.maxPauseMs,
        family: options.rpcUrls.length > 1 ? `rpc ${name}` : 'rpc',
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        onPause: reporter ? (pause) => reporter.note(describePause(pause)) : undefined,
      })
      return { name, rpc }
    })
    return { clients, close: async () => void (await Promise.all(clients.map(({ rpc }) => rpc.close()))) }
  }

  return {
    name,
    get lastRun() {
      return lastRun
    },

    async plan(context): Promise<StepPlan> {
      const { clients, close } = connect(undefined, PLAN_TIP_TIMEOUT_MS)
      let tip: number | undefined
      try {
        const heads = await Promise.all(clients.map(({ rpc }) => rpc.blockNumber().catch(() => undefined)))
        const known = heads.filter((head) => head !== undefined)
        tip = known.length ? Math.max(...known) : undefined
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
        seconds: requests / (perSecond(options.rpcRate) * clients.length),
        detail: [
          `${coverage.gaps.length} gaps in [${coverage.from}, ${coverage.to}]`,
          tip === undefined
            ? 'tip unknown (RPC unreachable): the span ends at the highest block done'
            : `tip ${tip}`,
          density > 0 ? `~${density.toFixed(2)} rows per block so far` : 'no density yet: ranges start small',
          options.shard.count > 1 ? `shard ${options.shard.index}/${options.shard.count}` : '',
          clients.length > 1 ? `${clients.length} RPC endpoints` : '',
        ]
          .filter(Boolean)
          .join('; '),
      }
    },

    async run(context: StepContext): Promise<StepOutcome> {
      const { clients, close } = connect(context.reporter)
      let endpoints: ChainEndpoint[] = []
      const startedAt = performance.now()
      const report = () =>
        context.runLog.rpcEndpoints(
          stream.stream,
          endpoints.map((endpoint) => endpoint.report(performance.now() - startedAt)),
        )
      const timer = setInterval(() => void report().catch(() => {}), ENDPOINT_REPORT_MS)
      try {
        endpoints = await openEndpoints(clients, { ...options, adaptive: deps.adaptive }, context)
        const tip = Math.max(
          ...endpoints.filter((endpoint) => endpoint.usable).map((endpoint) => endpoint.head),
        )
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
          endpoints,
          from: options.fromBlock,
          to,
          tip,
          shard: options.shard,
          concurrency: options.concurrency,
          commitRows: deps.commitRows,
        })
        await options.afterRun?.(context.warehouse)
        return { rows: lastRun.rows, failures: lastRun.failures, complete: lastRun.complete }
      } finally {
        clearInterval(timer)
        await report().catch(() => {})
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

/**
 * Each endpoint's chain id and head, asked of all at once. A wrong chain is a mistake in the
 * settings (UsageError). An endpoint that cannot be reached sits the run out when another answers;
 * when none does, the first one's error stops the step.
 */
async function openEndpoints(
  clients: readonly { name: string; rpc: RpcClient }[],
  options: LogStreamOptions & { adaptive: AdaptiveRangeOptions | undefined },
  context: StepContext,
): Promise<ChainEndpoint[]> {
  const expected = options.chainId ?? POLYGON_CHAIN_ID
  const several = clients.length > 1
  const endpoints = clients.map(({ name, rpc }) => new ChainEndpoint(rpc, name, options.adaptive))
  const opened = await Promise.allSettled(
    endpoints.map(async (endpoint) => {
      const retry = {
        signal: context.signal,
        label: `${endpoint.name}: eth_chainId and eth_blockNumber`,
        ...(several ? { maxAttempts: HANDOFF_ATTEMPTS } : {}),
      }
      const chainId = await withRetry(() => endpoint.rpc.chainId(), retry)
      if (chainId !== expected) {
        throw new UsageError(`${endpoint.name} serves chain ${chainId}, not Polygon PoS (${expected})`, {
          hint: 'point POLYGON_RPC_URL (or --rpc-url) at a Polygon mainnet endpoint',
        })
      }
      endpoint.head = await withRetry(() => endpoint.rpc.blockNumber(), retry)
      endpoint.headReadAt = Date.now()
    }),
  )
  const refused = opened.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []))
  const fatal = refused.find((error) => error instanceof UsageError || error instanceof InterruptedError)
  if (fatal) throw fatal
  if (refused.length === endpoints.length) throw refused[0]
  const tip = Math.max(...endpoints.filter((_, i) => opened[i]?.status === 'fulfilled').map((e) => e.head))
  for (const [i, result] of opened.entries()) {
    const endpoint = endpoints[i] as ChainEndpoint
    if (result.status === 'rejected') {
      endpoint.setDown(result.reason as Error)
      context.reporter.note(`${endpoint.name} sits this run out: ${(result.reason as Error).message}`)
    } else if (endpoint.head < tip - options.confirmations) {
      context.reporter.note(
        `${endpoint.name} is ${tip - endpoint.head} blocks behind the highest endpoint; it takes ranges below its head ${endpoint.head} only`,
      )
    }
  }
  return endpoints
}
