// The JSON-RPC client for Polygon, on the same transport as the APIs (extract/http): its undici
// agent, its body cap and deadline, its classifier for answers that are not JSON-RPC (a Cloudflare
// page, a bare 429, a cut body), its Retry-After and pause policy, and a limiter of its own. One
// client is one endpoint: several endpoints are several clients, each with its own limiter.
// Single attempts: the callers retry (the range engine also shrinks ranges between attempts).
import { ResponseTooLargeError, SourceUnavailableError } from '../../core/errors.ts'
import { redactUrl, scrubUrlParts } from '../../core/redact.ts'
import { classifyResponse } from '../http/classify.ts'
import { urlSettingOf } from '../http/config.ts'
import { EndpointFamily, type PauseListener } from '../http/endpoint.ts'
import type { Failure } from '../http/failure.ts'
import { RateLimiter } from '../http/limiter.ts'
import { type RateLimit, RPC_LIMIT } from '../http/rates.ts'
import { SourceHealth } from '../http/source-health.ts'
import { emptyCounters, type FamilyCounters } from '../http/stats.ts'
import { bodyText, type HttpReply, HttpTransport } from '../http/transport.ts'
import { type RawLog, rawLogsSchema } from './abi.ts'
import { scanLogsReply } from './log-scan.ts'
import type { BlockRange } from './provider-errors.ts'
import {
  blockHeaderSchema,
  isJsonRpcShaped,
  parseResult,
  quantitySchema,
  RpcError,
  RpcProtocolError,
  type RpcResponse,
  responseSchema,
  unwrap,
} from './rpc-reply.ts'

export { RpcError, RpcProtocolError } from './rpc-reply.ts'

/**
 * One HTTP request's deadline (headers and body each, and the whole exchange). Infura stops a
 * getLogs query at 10 s (its eth_getLogs constraints); 30 s leaves room for large responses on
 * slower links while still failing a dead connection within a minute.
 */
export const REQUEST_TIMEOUT_MS = 30_000
/** Idle sockets are kept this long for reuse (undici's own default is 4 s, too short for paced calls). */
export const KEEP_ALIVE_TIMEOUT_MS = 30_000
/**
 * Calls per batch request. Alchemy documents 100 per HTTP batch (its "Batch Requests" page; a
 * later edition says 1,000) and SolarPath caps at 100, recommending ≤ 30; OnFinality rejects a
 * whole batch when it would cross the rate limit, so smaller batches fail less as a unit.
 */
export const MAX_BATCH_SIZE = 50
/**
 * A reply larger than this is cut off as it streams in. The range engine sizes eth_getLogs ranges
 * for ~10,000 logs (~11 MB); an uncapped node (anvil, an own node) may answer a first wide range
 * with far more, so a reply over the cap counts as "too many results" and the range shrinks.
 */
export const MAX_REPLY_BYTES = 128 * 1024 * 1024
/** Reply memory kept for reuse: one per range in flight is enough (the step runs ~4 at once). */
const MAX_REPLY_MEMORY = 8
/** A reply buffer's first size; it doubles to fit the largest reply it meets. */
const INITIAL_REPLY_BYTES = 1 << 20
/** Sockets per origin: enough for the concurrent ranges the rate limit allows. */
export const DEFAULT_CONNECTIONS = 16

export interface RpcClientOptions {
  url: string
  /** This endpoint's limit (`--rate rpc=…`); RPC_LIMIT by default. One token per JSON-RPC call. */
  rate?: RateLimit | undefined
  /** A limiter to use instead of one made from `rate` (tests; endpoints that share a quota). */
  limiter?: RateLimiter | undefined
  /** The endpoint's name in counters and notes. */
  family?: string
  timeoutMs?: number
  headers?: Record<string, string>
  connections?: number
  maxBatchSize?: number
  maxReplyBytes?: number
  /** Longest pause a Retry-After may impose (MAX_PAUSE_MS by default). */
  maxPauseMs?: number | undefined
  /** Told when this endpoint pauses long enough to be news (describePause makes it a line). */
  onPause?: PauseListener | undefined
}

export type BlockTag = 'latest' | 'finalized' | 'safe' | 'earliest'

export interface LogFilter {
  address?: string | readonly string[]
  /** Per position: one topic, any of several, or null for "any". */
  topics?: readonly (string | readonly string[] | null)[]
  fromBlock?: number | BlockTag
  toBlock?: number | BlockTag
  blockHash?: string
}

export interface BlockHeader {
  number: number
  hash: string
  parentHash: string
  /** Unix seconds. */
  timestamp: number
}

export interface RpcCall {
  method: string
  params: readonly unknown[]
}

export type BatchOutcome = { ok: true; result: unknown } | { ok: false; error: RpcError }

interface Exchange {
  reply: HttpReply
  startedAt: number
}

export class RpcClient {
  readonly url: string
  readonly limiter: RateLimiter
  /** Attempts, failed attempts, 429s and bytes of this endpoint (for progress lines and benches). */
  readonly counters: FamilyCounters = emptyCounters()
  readonly #target: URL
  readonly #transport: HttpTransport
  readonly #endpoint: EndpointFamily
  readonly #headers: Record<string, string>
  readonly #maxBatchSize: number
  #nextId = 1
  /** Buffers and scan slots eth_getLogs replies are read into, back from their released ScannedLogs. */
  readonly #replyMemory: { buffer: Buffer; slots: Int32Array }[] = []

  constructor(options: RpcClientOptions) {
    this.url = options.url
    this.#target = new URL(options.url)
    const family = options.family ?? 'rpc'
    const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS
    this.limiter = options.limiter ?? new RateLimiter(family, options.rate ?? RPC_LIMIT)
    this.#transport = new HttpTransport({
      headersTimeoutMs: timeoutMs,
      bodyTimeoutMs: timeoutMs,
      requestTimeoutMs: timeoutMs,
      keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
      connections: options.connections ?? DEFAULT_CONNECTIONS,
      maxResponseBytes: options.maxReplyBytes ?? MAX_REPLY_BYTES,
    })
    const health = new SourceHealth({ settingOf: () => urlSettingOf('rpc') })
    this.#endpoint = new EndpointFamily(family, this.limiter, this.counters, health, {
      maxPauseMs: options.maxPauseMs,
      listeners: new Set(options.onPause ? [options.onPause] : []),
    })
    this.#headers = { 'content-type': 'application/json', accept: 'application/json', ...options.headers }
    this.#maxBatchSize = options.maxBatchSize ?? MAX_BATCH_SIZE
  }

  /** One JSON-RPC call: its result, or a typed error (RpcError for the node's own error object). */
  async request(method: string, params: readonly unknown[] = [], options: { requested?: BlockRange } = {}) {
    const exchange = await this.#exchange({ jsonrpc: '2.0', id: this.#nextId++, method, params }, 1, method)
    return this.#result(exchange, method, options)
  }

  /**
   * eth_getLogs whose reply is read where it lies (extract/chain/log-scan.ts): the scanned logs, or —
   * when the body is not a plain JSON-RPC result — whatever `request` would return or throw for it.
   *
   * The reply is read and scanned into memory that `release()` of the scanned logs hands back for the
   * next one: fresh memory per reply (~1 KB of body and 120 bytes of slots per fill) made the
   * collector run a full mark-compact every ~64 MB of replies (80 per 1,000,000 fills, 52 with
   * reuse; node --trace-gc --import tsx bench/chain-ingest.ts), and every new page was a fault.
   */
  async requestLogs(params: readonly unknown[], options: { requested?: BlockRange } = {}) {
    const method = 'eth_getLogs'
    const memory = this.#replyMemory.pop() ?? {
      buffer: Buffer.allocUnsafeSlow(INITIAL_REPLY_BYTES),
      slots: new Int32Array(0),
    }
    let exchange: Exchange
    try {
      exchange = await this.#exchange(
        { jsonrpc: '2.0', id: this.#nextId++, method, params },
        1,
        method,
        memory.buffer,
      )
    } catch (error) {
      this.#giveBack(memory)
      throw error
    }
    const { reply } = exchange
    const release = (slots: Int32Array) => this.#giveBack({ buffer: reply.backing ?? memory.buffer, slots })
    if (reply.status >= 200 && reply.status < 300) {
      const scanned = scanLogsReply(reply.bytes, { slots: memory.slots, release })
      if (scanned) {
        this.#endpoint.answered(this.#target)
        this.counters.succeeded++
        return scanned
      }
    }
    try {
      return this.#result(exchange, method, options)
    } finally {
      // The parsed result holds copies (JSON.parse of the decoded text), never the bytes.
      release(memory.slots)
    }
  }

  /**
   * Several calls, sent as JSON-RPC batches of at most `maxBatchSize`. Each call gets its own
   * outcome; failures of the whole HTTP request are thrown.
   */
  async batch(calls: readonly RpcCall[]): Promise<BatchOutcome[]> {
    const outcomes: BatchOutcome[] = []
    for (let start = 0; start < calls.length; start += this.#maxBatchSize) {
      outcomes.push(...(await this.#batchChunk(calls.slice(start, start + this.#maxBatchSize))))
    }
    return outcomes
  }

  async chainId(): Promise<number> {
    return parseResult('eth_chainId', quantitySchema, await this.request('eth_chainId'))
  }

  async blockNumber(): Promise<number> {
    return parseResult('eth_blockNumber', quantitySchema, await this.request('eth_blockNumber'))
  }

  /** The header of a block by number or tag; null when the node has no such block (yet). */
  async getBlockByNumber(block: number | BlockTag): Promise<BlockHeader | null> {
    const result = await this.request('eth_getBlockByNumber', [blockParam(block), false])
    return parseResult('eth_getBlockByNumber', blockHeaderSchema, result)
  }

  /** Headers of many blocks in batch requests (for timestamps and hashes; never one call per log). */
  async getBlocksByNumber(numbers: readonly number[]): Promise<(BlockHeader | null)[]> {
    const outcomes = await this.batch(
      numbers.map((n) => ({ method: 'eth_getBlockByNumber', params: [toHex(n), false] })),
    )
    return outcomes.map((outcome) => {
      if (!outcome.ok) throw outcome.error
      return parseResult('eth_getBlockByNumber', blockHeaderSchema, outcome.result)
    })
  }

  /** eth_getLogs. Range errors carry `classification` with the provider's suggested range. */
  async getLogs(filter: LogFilter): Promise<RawLog[]> {
    const requested =
      typeof filter.fromBlock === 'number' && typeof filter.toBlock === 'number'
        ? { from: filter.fromBlock, to: filter.toBlock }
        : undefined
    const result = await this.request('eth_getLogs', [filterParam(filter)], requested ? { requested } : {})
    return parseResult('eth_getLogs', rawLogsSchema, result)
  }

  async close(): Promise<void> {
    await this.#transport.close()
  }

  async #batchChunk(calls: readonly RpcCall[]): Promise<BatchOutcome[]> {
    const ids = calls.map(() => this.#nextId++)
    const payload = calls.map((call, i) => ({
      jsonrpc: '2.0',
      id: ids[i],
      method: call.method,
      params: call.params,
    }))
    const label = `batch of ${calls.length}`
    const exchange = await this.#exchange(payload, calls.length, label)
    const body = this.#interpret(exchange, label)
    const status = exchange.reply.status
    const retryAfterMs = exchange.reply.retryAfterMs
    if (!Array.isArray(body)) {
      // Some providers answer a refused batch with one error object for all of it.
      const single = responseSchema.safeParse(body)
      if (single.success && single.data.error) {
        const e = single.data.error
        const error = new RpcError(label, e.code, e.message, e.data, status, {
          retryAfterMs,
          url: this.#target,
        })
        this.#settle(exchange, error)
        return calls.map(() => ({ ok: false, error }))
      }
      throw new RpcProtocolError(`${label}: the endpoint did not answer with a JSON-RPC batch`)
    }
    this.#settle(exchange)
    const byId = new Map<unknown, RpcResponse>()
    for (const item of body) {
      const parsed = responseSchema.safeParse(item)
      if (parsed.success) byId.set(parsed.data.id, parsed.data)
    }
    return calls.map((call, i) => {
      const response = byId.get(ids[i])
      if (!response) {
        const error = new RpcError(
          call.method,
          undefined,
          'no response for this call in the batch',
          undefined,
          status,
        )
        return { ok: false, error }
      }
      try {
        return {
          ok: true,
          result: unwrap(response, call.method, status, { retryAfterMs, url: this.#target }),
        }
      } catch (error) {
        if (error instanceof RpcError) return { ok: false, error }
        throw error
      }
    })
  }

  /** The result of a single call's reply, or the error it amounts to. */
  #result(exchange: Exchange, method: string, options: { requested?: BlockRange }): unknown {
    const body = this.#interpret(exchange, method)
    const parsed = responseSchema.safeParse(body)
    if (!parsed.success || Array.isArray(body)) {
      throw new RpcProtocolError(`${method}: the endpoint did not answer with a JSON-RPC response`, {
        hint: `check that ${redactUrl(this.url)} is a JSON-RPC endpoint`,
      })
    }
    const { status, retryAfterMs } = exchange.reply
    try {
      const result = unwrap(parsed.data, method, status, { ...options, retryAfterMs, url: this.#target })
      this.#settle(exchange)
      return result
    } catch (error) {
      if (error instanceof RpcError) this.#settle(exchange, error)
      throw error
    }
  }

  /**
   * One HTTP exchange under this endpoint's limiter (`cost` tokens: providers meter calls, not
   * HTTP requests). With `into`, the body is read into that buffer. A reply too large for the cap
   * is, for eth_getLogs, a range with too many logs: the RpcError says so, and the range shrinks.
   */
  async #exchange(payload: unknown, cost: number, label: string, into?: Buffer): Promise<Exchange> {
    const request = {
      url: this.#target,
      method: 'POST' as const,
      headers: this.#headers,
      body: JSON.stringify(payload),
      label: `${label} ${redactUrl(this.url)}`,
      into,
    }
    try {
      return await this.#endpoint.send(this.#transport, request, cost)
    } catch (error) {
      if (error instanceof ResponseTooLargeError && label === 'eth_getLogs') {
        const mib = (error.maxBytes / 2 ** 20).toFixed(0)
        throw new RpcError(
          label,
          undefined,
          `reply passed the client's cap of ${mib} MiB`,
          undefined,
          undefined,
          {
            url: this.#target,
          },
        )
      }
      throw error
    }
  }

  /**
   * The parsed JSON-RPC body (any status: providers send error objects with 4xx and 429), or the
   * failure the answer amounts to by the shared classifier: retryable for 5xx, 429, HTML pages and
   * cut bodies; RpcProtocolError for a 4xx refusal (wrong URL or key) and for JSON that is not JSON-RPC.
   */
  #interpret({ reply, startedAt }: Exchange, label: string): unknown {
    const text = bodyText(reply.bytes)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    if (isJsonRpcShaped(body)) return body
    const verdict = classifyResponse({ status: reply.status, contentType: reply.contentType, body: text })
    const where = `${label} ${redactUrl(this.url)}`
    if (verdict.kind === 'ok') {
      throw new RpcProtocolError(`${where}: the endpoint did not answer with JSON-RPC`, {
        hint: `check that ${redactUrl(this.url)} is a JSON-RPC endpoint`,
      })
    }
    const failure: Failure = {
      ...verdict,
      reason: scrubUrlParts(verdict.reason, this.#target),
      status: reply.status,
      retryAfterMs: reply.retryAfterMs,
    }
    const error = this.#endpoint.failed(this.#target, failure, where, { startedAt })
    if (error.retryable || error instanceof SourceUnavailableError) throw error
    throw new RpcProtocolError(error.message, { hint: 'check POLYGON_RPC_URL and its API key', cause: error })
  }

  /**
   * The node answered in JSON-RPC: it works. A rate-limit error object slows and pauses this
   * endpoint like a 429 does; any other error object is still an answer.
   */
  #settle({ reply, startedAt }: Exchange, error?: RpcError): void {
    if (error === undefined) {
      this.#endpoint.answered(this.#target)
      this.counters.succeeded++
      return
    }
    if (error.classification.kind !== 'rate-limited') {
      this.#endpoint.answered(this.#target)
      this.counters.errors++
      return
    }
    const failure: Failure = {
      kind: 'rate-limited',
      retryable: true,
      reason: `HTTP ${reply.status} rate limited (JSON-RPC code ${error.code ?? 'none'})`,
      status: reply.status,
      retryAfterMs: error.retryAfterMs,
    }
    const verdict = this.#endpoint.failed(this.#target, failure, error.method, { startedAt })
    if (verdict instanceof SourceUnavailableError) throw verdict
  }

  #giveBack(memory: { buffer: Buffer; slots: Int32Array }): void {
    if (this.#replyMemory.length < MAX_REPLY_MEMORY) this.#replyMemory.push(memory)
  }
}

export function toHex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a block number: ${n}`)
  return `0x${n.toString(16)}`
}

function blockParam(block: number | BlockTag): string {
  return typeof block === 'number' ? toHex(block) : block
}

function filterParam(filter: LogFilter): Record<string, unknown> {
  const param: Record<string, unknown> = {}
  if (filter.address !== undefined) param.address = filter.address
  if (filter.topics !== undefined) param.topics = filter.topics
  if (filter.blockHash !== undefined) param.blockHash = filter.blockHash
  if (filter.fromBlock !== undefined) param.fromBlock = blockParam(filter.fromBlock)
  if (filter.toBlock !== undefined) param.toBlock = blockParam(filter.toBlock)
  return param
}
