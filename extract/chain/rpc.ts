// A small JSON-RPC client for Polygon over undici: single and batch calls, keep-alive, timeouts,
// typed errors that say whether to retry, and a `limiter` hook called before every HTTP request
// so the token-bucket limiter of extract/http can pace RPC calls too (`--rate rpc=…`).
import { Agent, request } from 'undici'
import { z } from 'zod'
import { NonRetryableError, PolyhouseError, RetryableError } from '../../core/errors.ts'
import { type RawLog, rawLogsSchema } from './abi.ts'
import { scanLogsReply } from './log-scan.ts'
import { type BlockRange, classifyGetLogsError, type GetLogsErrorClassification } from './provider-errors.ts'

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
/** Reply memory kept for reuse: one per range in flight is enough (the step runs ~4 at once). */
const MAX_REPLY_MEMORY = 8
/** A reply buffer's first size; it doubles to fit the largest reply it meets. */
const INITIAL_REPLY_BYTES = 1 << 20
/** Sockets per origin: enough for the concurrent ranges the rate limit allows. */
export const DEFAULT_CONNECTIONS = 16

/** Waits until `cost` JSON-RPC calls may be sent (one HTTP request carries `cost` calls). */
export type Limiter = (cost: number) => Promise<void>

export interface RpcClientOptions {
  url: string
  limiter?: Limiter
  timeoutMs?: number
  headers?: Record<string, string>
  connections?: number
  maxBatchSize?: number
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

// --- errors ------------------------------------------------------------------------------------

/**
 * The node answered with a JSON-RPC error object. `retryable` says whether the same request may
 * succeed later (rate limits, transient faults); range errors are not retryable as such — the
 * caller asks `classification` for a smaller range instead.
 */
export class RpcError extends PolyhouseError {
  override readonly retryable: boolean
  readonly retryAfterMs: number | undefined
  readonly classification: GetLogsErrorClassification

  constructor(
    readonly method: string,
    readonly code: number | undefined,
    readonly rpcMessage: string,
    readonly data: unknown,
    readonly httpStatus: number | undefined,
    options: { requested?: BlockRange; retryAfterMs?: number } = {},
  ) {
    const classification = classifyGetLogsError(
      { code, message: rpcMessage, data, httpStatus },
      options.requested,
    )
    super(`${method} failed: ${rpcMessage}${code === undefined ? '' : ` (code ${code})`}`, {
      hint: HINTS[classification.kind],
    })
    this.classification = classification
    this.retryable = classification.kind === 'rate-limited' || classification.kind === 'retryable'
    this.retryAfterMs = options.retryAfterMs ?? classification.retryAfterMs
  }
}

const HINTS: Record<GetLogsErrorClassification['kind'], string> = {
  'range-too-large': 'the provider caps the block range; the range is split and fetched again',
  'too-many-results': 'the range holds too many logs for the provider; it is split and fetched again',
  'rate-limited': 'the provider is rate limiting; lower --rate rpc=… if this repeats',
  retryable: 'a transient provider fault; the request is retried',
  fatal: 'the provider refused the request; check POLYGON_RPC_URL, its API key and plan',
}

/** No usable answer came back (timeout, reset, 5xx, 429 without JSON, an HTML or truncated page). */
export class RpcTransportError extends RetryableError {}

/** The answer came back but is not what the JSON-RPC method promises, or the endpoint refused us. */
export class RpcProtocolError extends NonRetryableError {}

// --- schemas at the edge ------------------------------------------------------------------------

const errorObjectSchema = z.object({
  code: z.number().optional(),
  message: z.string().default(''),
  data: z.unknown().optional(),
})
const responseSchema = z.object({
  id: z.union([z.number(), z.string(), z.null()]).optional(),
  result: z.unknown().optional(),
  error: errorObjectSchema.optional(),
})
type RpcResponse = z.output<typeof responseSchema>

const quantitySchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]+$/, 'expected a 0x hex quantity')
  .transform((v, ctx) => {
    const n = Number(BigInt(v))
    if (!Number.isSafeInteger(n)) {
      ctx.addIssue({ code: 'custom', message: `${v} is not a safe integer` })
      return z.NEVER
    }
    return n
  })
const hashSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 32-byte 0x hash')
  .transform((v) => v.toLowerCase())
const blockHeaderSchema = z
  .object({ number: quantitySchema, hash: hashSchema, parentHash: hashSchema, timestamp: quantitySchema })
  .nullable()

// --- the client ---------------------------------------------------------------------------------

export class RpcClient {
  readonly url: string
  private readonly agent: Agent
  private readonly limiter: Limiter | undefined
  private readonly timeoutMs: number
  private readonly headers: Record<string, string>
  private readonly maxBatchSize: number
  private nextId = 1
  /** Buffers and scan slots eth_getLogs replies are read into, back from their released ScannedLogs. */
  private readonly replyMemory: { buffer: Buffer; slots: Int32Array }[] = []

  constructor(options: RpcClientOptions) {
    this.url = options.url
    this.limiter = options.limiter
    this.timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS
    this.headers = { 'content-type': 'application/json', accept: 'application/json', ...options.headers }
    this.maxBatchSize = options.maxBatchSize ?? MAX_BATCH_SIZE
    this.agent = new Agent({
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      connections: options.connections ?? DEFAULT_CONNECTIONS,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    })
  }

  /** One JSON-RPC call; its result, or an RpcError / RpcTransportError / RpcProtocolError. */
  async request(method: string, params: readonly unknown[] = [], options: { requested?: BlockRange } = {}) {
    const reply = await this.exchange({ jsonrpc: '2.0', id: this.nextId++, method, params }, 1, method)
    return this.result(reply, method, options)
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
    const memory = this.replyMemory.pop() ?? {
      buffer: Buffer.allocUnsafeSlow(INITIAL_REPLY_BYTES),
      slots: new Int32Array(0),
    }
    const reply = await this.exchange(
      { jsonrpc: '2.0', id: this.nextId++, method, params },
      1,
      method,
      memory.buffer,
    )
    const release = (slots: Int32Array) => {
      if (this.replyMemory.length < MAX_REPLY_MEMORY)
        this.replyMemory.push({ buffer: reply.backing ?? memory.buffer, slots })
    }
    if (reply.statusCode >= 200 && reply.statusCode < 300) {
      const scanned = scanLogsReply(reply.bytes, { slots: memory.slots, release })
      if (scanned) return scanned
    }
    try {
      return this.result(reply, method, options)
    } finally {
      // The parsed result holds copies (JSON.parse of the decoded text), never the bytes.
      release(memory.slots)
    }
  }

  private result(reply: RawReply, method: string, options: { requested?: BlockRange }): unknown {
    const { body, httpStatus, retryAfterMs } = this.interpret(reply, method)
    const parsed = responseSchema.safeParse(body)
    if (!parsed.success || Array.isArray(body)) {
      throw new RpcProtocolError(`${method}: the endpoint did not answer with a JSON-RPC response`, {
        hint: `check that ${redact(this.url)} is a JSON-RPC endpoint`,
      })
    }
    return unwrap(parsed.data, method, httpStatus, { ...options, retryAfterMs })
  }

  /**
   * Several calls, sent as JSON-RPC batches of at most `maxBatchSize`. Each call gets its own
   * outcome; transport failures (the whole HTTP request failed) are thrown.
   */
  async batch(calls: readonly RpcCall[]): Promise<BatchOutcome[]> {
    const outcomes: BatchOutcome[] = []
    for (let start = 0; start < calls.length; start += this.maxBatchSize) {
      outcomes.push(...(await this.batchChunk(calls.slice(start, start + this.maxBatchSize))))
    }
    return outcomes
  }

  private async batchChunk(calls: readonly RpcCall[]): Promise<BatchOutcome[]> {
    const ids = calls.map(() => this.nextId++)
    const payload = calls.map((call, i) => ({
      jsonrpc: '2.0',
      id: ids[i],
      method: call.method,
      params: call.params,
    }))
    const label = `batch of ${calls.length}`
    const { body, httpStatus, retryAfterMs } = await this.post(payload, calls.length, label)
    if (!Array.isArray(body)) {
      // Some providers answer a refused batch with one error object for all of it.
      const single = responseSchema.safeParse(body)
      if (single.success && single.data.error) {
        const e = single.data.error
        const error = new RpcError(label, e.code, e.message, e.data, httpStatus, { retryAfterMs })
        return calls.map(() => ({ ok: false, error }))
      }
      throw new RpcProtocolError(`${label}: the endpoint did not answer with a JSON-RPC batch`)
    }
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
          httpStatus,
        )
        return { ok: false, error }
      }
      try {
        return { ok: true, result: unwrap(response, call.method, httpStatus, { retryAfterMs }) }
      } catch (error) {
        if (error instanceof RpcError) return { ok: false, error }
        throw error
      }
    })
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
    await this.agent.close()
  }

  private async post(payload: unknown, cost: number, label: string) {
    return this.interpret(await this.exchange(payload, cost, label), label)
  }

  /** One HTTP exchange: the body's bytes as they came, or an RpcTransportError. */
  /**
   * One HTTP request. With `into`, the body is read into that buffer (grown as needed; the one used
   * is `backing` of the reply), else into a buffer of its own.
   */
  private async exchange(payload: unknown, cost: number, label: string, into?: Buffer): Promise<RawReply> {
    await this.limiter?.(cost)
    try {
      const response = await request(this.url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: this.headers,
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
      const header = response.headers['retry-after']
      const retryAfterHeader = Array.isArray(header) ? header[0] : header
      const retryAfterMs = parseRetryAfter(retryAfterHeader)
      if (into === undefined) {
        const bytes = Buffer.from(await response.body.arrayBuffer())
        return { statusCode: response.statusCode, retryAfterMs, bytes }
      }
      let backing = into
      let length = 0
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        if (length + chunk.length > backing.length) {
          const grown = Buffer.allocUnsafeSlow(Math.max(2 * backing.length, length + chunk.length))
          backing.copy(grown, 0, 0, length)
          backing = grown
        }
        length += chunk.copy(backing, length)
      }
      return { statusCode: response.statusCode, retryAfterMs, bytes: backing.subarray(0, length), backing }
    } catch (error) {
      throw new RpcTransportError(
        `${label}: ${describeTransportError(error, this.timeoutMs)} (${redact(this.url)})`,
        {
          cause: error,
        },
      )
    }
  }

  /** The parsed JSON-RPC body, or the transport or protocol error its status and text amount to. */
  private interpret({ statusCode, retryAfterMs, bytes }: RawReply, label: string) {
    // A byte-order mark is not JSON; the text decoder used to drop it, so this reader does too.
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
    const text = bytes.toString('utf8', bom)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    if (isJsonRpcShaped(body)) return { body, httpStatus: statusCode, retryAfterMs }

    // Not JSON-RPC: decide on the status.
    const snippet = text.slice(0, 120).replace(/\s+/g, ' ')
    if (statusCode === 429 || statusCode === 408 || statusCode >= 500 || statusCode < 300) {
      // 2xx here means an HTML page (Cloudflare) or a truncated body: both pass on retry.
      const what = statusCode < 300 ? 'an unreadable body' : `HTTP ${statusCode}`
      throw new RpcTransportError(`${label}: ${what} from ${redact(this.url)}: ${snippet}`, { retryAfterMs })
    }
    throw new RpcProtocolError(`${label}: HTTP ${statusCode} from ${redact(this.url)}: ${snippet}`, {
      hint: 'check POLYGON_RPC_URL and its API key',
    })
  }
}

interface RawReply {
  statusCode: number
  retryAfterMs: number | undefined
  bytes: Buffer
  /** The reusable buffer `bytes` lies in, when the body was read into one. */
  backing?: Buffer
}

function unwrap(
  response: RpcResponse,
  method: string,
  httpStatus: number,
  options: { requested?: BlockRange; retryAfterMs?: number | undefined },
): unknown {
  if (response.error) {
    const { code, message, data } = response.error
    const errorOptions: { requested?: BlockRange; retryAfterMs?: number } = {}
    if (options.requested) errorOptions.requested = options.requested
    if (options.retryAfterMs !== undefined) errorOptions.retryAfterMs = options.retryAfterMs
    throw new RpcError(method, code, message, data, httpStatus, errorOptions)
  }
  if (!('result' in response)) {
    throw new RpcProtocolError(`${method}: the response has neither result nor error`)
  }
  return response.result
}

function parseResult<T extends z.ZodType>(method: string, schema: T, result: unknown): z.output<T> {
  const parsed = schema.safeParse(result)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : ''
    throw new RpcProtocolError(
      `${method} returned an unexpected result${where}: ${issue?.message ?? 'invalid'}`,
      {
        cause: parsed.error,
      },
    )
  }
  return parsed.data
}

/**
 * A JSON-RPC reply (or batch of them): a `result`, or an `error` object with a numeric code. A
 * gateway's own JSON error (`{"error":"Internal Server Error"}` with a 5xx) is not one: its status
 * decides, so a 5xx stays a retryable transport error rather than a protocol error.
 */
function isJsonRpcShaped(body: unknown): boolean {
  if (Array.isArray(body)) return body.length > 0 && body.every(isJsonRpcShaped)
  if (typeof body !== 'object' || body === null) return false
  if ('result' in body) return true
  const error = (body as { error?: unknown }).error
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number'
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

/** Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

function describeTransportError(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: string } | null)?.name
  const code = (error as { code?: string } | null)?.code
  if (
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT'
  ) {
    return `no answer within ${timeoutMs} ms`
  }
  return `${code ?? name ?? 'network error'}: ${(error as Error | null)?.message ?? String(error)}`
}

/** API keys live in provider URLs' paths; never print them. */
function redact(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname.length > 1 ? '/…' : ''}`
  } catch {
    return 'the RPC URL'
  }
}
