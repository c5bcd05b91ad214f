// The RPC endpoints a log stream reads from, each with what the engine learned about it in this run:
// its own client (and so its own limiter, slowed by its own 429s), its own adaptive range size (a
// provider's span or result cap learned from its own errors), its head (a lagging node is never
// asked for blocks above it), its state, and its figures for `status` (etl_rpc_endpoints).
import { AttemptsExhaustedError, InterruptedError, SourceUnavailableError } from '../../core/errors.ts'
import { redactUrl, redactUrls } from '../../core/redact.ts'
import { AdaptiveRange, type AdaptiveRangeOptions, blockCount } from '../../extract/chain/adaptive-range.ts'
import type { RpcClient } from '../../extract/chain/rpc.ts'
import { withRetry } from '../../extract/http/retry.ts'
import type { RpcEndpointReport } from '../../load/run-log.ts'
import type { RangeResult } from './fetch.ts'

/**
 * How long an endpoint that failed CONSECUTIVE_FAILURES_TO_STOP ranges in a row sits out while other
 * endpoints carry the run; then it gets one range again. A provider outage lasts minutes, and a
 * minute costs the healthy endpoints nothing.
 */
export const BENCH_MS = 60_000
/**
 * How often an endpoint whose head is below every block still to fetch asks for its head again.
 * Polygon makes a block every ~2 s; a lagging node that catches up is used again within seconds.
 */
export const HEAD_REFRESH_MS = 5_000

/**
 * Logs one answer should carry: the result cap of geth (`--rpc.logs…`, 10,000) and Infura, so a
 * range sized for it is accepted by capped providers, and an uncapped node (anvil, an own node)
 * never sends one answer of hundreds of megabytes. Ranges are sized from the density just seen.
 */
export const TARGET_LOGS_PER_REQUEST = 10_000

export type EndpointState = 'ok' | 'benched' | 'down'

export class ChainEndpoint {
  /** Scheme and host only (core/redact.ts): what notes, etl_errors and status show. */
  readonly name: string
  readonly adaptive: AdaptiveRange
  /** The highest block this node admits to, as last read. */
  head = -1
  headReadAt = 0
  #benchedUntil = 0
  #down: Error | undefined
  consecutiveFailures = 0
  readonly figures = {
    ranges: 0,
    blocks: 0,
    logs: 0,
    /** Ranges that failed after their retries here (handed to another endpoint, or recorded failed). */
    failedRanges: 0,
    handedOff: 0,
    /** Ranges refused as too large (span or results): how this endpoint's range cap was learned. */
    tooLarge: 0,
    /** Summed time of the ranges fetched here (waiting on answers and decoding them), ms. */
    busyMs: 0,
    lastError: '',
  }

  constructor(
    readonly rpc: RpcClient,
    name: string,
    adaptive: AdaptiveRangeOptions | undefined,
  ) {
    this.name = name
    this.adaptive = new AdaptiveRange(adaptive)
  }

  /** Not declared down: it may take ranges (perhaps after its bench). */
  get usable(): boolean {
    return this.#down === undefined
  }

  get state(): EndpointState {
    if (this.#down) return 'down'
    return Date.now() < this.#benchedUntil ? 'benched' : 'ok'
  }

  /** Milliseconds left on the bench (0: it may take a range now). */
  benchedForMs(): number {
    return Math.max(0, this.#benchedUntil - Date.now())
  }

  bench(ms = BENCH_MS): void {
    this.#benchedUntil = Date.now() + ms
  }

  /** Refused for good (a bad key, a wrong chain, a source that never answered): out of this run. */
  setDown(error: Error): void {
    this.#down ??= error
    this.noteError(error)
  }

  noteError(error: unknown): void {
    this.figures.lastError = redactUrls(error instanceof Error ? error.message : String(error))
  }

  /** `result` came from here in `fetchMs`: counted, and the next range sized from its density. */
  fetched(result: RangeResult, fetchMs: number): void {
    const blocks = blockCount(result.range)
    this.figures.ranges++
    this.figures.blocks += blocks
    this.figures.logs += result.logs
    this.figures.busyMs += fetchMs
    // Grows after a light answer, shrinks toward TARGET_LOGS_PER_REQUEST after a heavy one.
    if (result.logs <= TARGET_LOGS_PER_REQUEST / 2) {
      this.adaptive.onSuccess(result.range)
      return
    }
    if (result.logs <= TARGET_LOGS_PER_REQUEST || blocks === 1) return
    const size = Math.max(1, Math.floor((blocks * TARGET_LOGS_PER_REQUEST) / result.logs))
    this.adaptive.onTooLarge(result.range, {
      kind: 'too-many-results',
      suggestedRange: { from: result.range.from, to: result.range.from + size - 1 },
    })
  }

  /** Asks for the head again; a failure leaves the last one known (it is only a hint for claims). */
  async refreshHead(signal: AbortSignal): Promise<void> {
    this.headReadAt = Date.now()
    try {
      const head = await withRetry(() => this.rpc.blockNumber(), { signal, maxAttempts: 2 })
      this.head = Math.max(this.head, head)
    } catch (error) {
      if (error instanceof InterruptedError) throw error
      this.noteError(error)
    }
  }

  /** This run's figures for etl_rpc_endpoints, over `elapsedMs` of the stream's run. */
  report(elapsedMs: number): RpcEndpointReport {
    const { counters } = this.rpc
    return {
      endpoint: this.name,
      state: this.state,
      head: Math.max(0, this.head),
      ranges: this.figures.ranges,
      blocks: this.figures.blocks,
      logs: this.figures.logs,
      requests: counters.requests,
      failedRequests: counters.errors,
      rateLimited: counters.rateLimited,
      failedRanges: this.figures.failedRanges,
      handedOff: this.figures.handedOff,
      tooLarge: this.figures.tooLarge,
      rangeBlocks: this.adaptive.size,
      rangeCap: this.adaptive.ceiling,
      busyMs: Math.round(this.figures.busyMs),
      elapsedMs: Math.round(elapsedMs),
      lastError: this.#down ? redactUrls(this.#down.message) : this.figures.lastError,
    }
  }
}

/**
 * Names for the endpoints: the redacted URL, made unique with ` (2)`, ` (3)` when two differ only
 * in what redaction hides (two keys of one provider).
 */
export function endpointNames(urls: readonly string[]): string[] {
  const seen = new Map<string, number>()
  return urls.map((url) => {
    const name = redactUrl(url)
    const count = (seen.get(name) ?? 0) + 1
    seen.set(name, count)
    return count === 1 ? name : `${name} (${count})`
  })
}

/** An error that says the endpoint could not be reached or kept failing, not that the chain disagrees. */
export function isReachError(error: unknown): boolean {
  return error instanceof AttemptsExhaustedError || error instanceof SourceUnavailableError
}

/** The endpoint reorg checks ask: usable, with the highest head (a lagging one has no header for the tip). */
export function byHead(endpoints: readonly ChainEndpoint[]): ChainEndpoint[] {
  return endpoints.filter((endpoint) => endpoint.usable).sort((a, b) => b.head - a.head)
}
