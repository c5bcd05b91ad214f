// The one way extractors talk HTTP: `fetchJson(family, url, { schema, signal })` paces the
// request through its family's limiter, retries what may succeed later, and throws typed errors
// (core/errors.ts) for the rest. undici keeps connections alive across requests.
import { setMaxListeners } from 'node:events'
import { promisify } from 'node:util'
import { brotliDecompress, gunzip, inflate } from 'node:zlib'
import { Agent } from 'undici'
import type { z } from 'zod'
import {
  HttpStatusError,
  InterruptedError,
  NonRetryableError,
  RateLimitedError,
  RetryableError,
  SchemaMismatchError,
} from '../../core/errors.ts'
import { classifyResponse, classifyTransportError, parseRetryAfter } from './classify.ts'
import { type Clock, RateLimiters } from './limiter.ts'
import { DEFAULT_RATE_LIMITS, type RateLimit } from './rates.ts'
import { type RetryEvent, withRetry } from './retry.ts'
import { type FamilyCounters, type FamilyStats, HttpStats } from './stats.ts'

/** No response headers in this long means a hung request. The APIs answer in well under a second. */
export const HEADERS_TIMEOUT_MS = 15_000
/** Longest silence between two chunks of a body (undici's bodyTimeout). */
export const BODY_TIMEOUT_MS = 15_000
/** Whole exchange, headers and body: a drip-fed body cannot hold a unit forever. */
export const REQUEST_TIMEOUT_MS = 60_000
/** TCP + TLS handshake (undici's default). */
export const CONNECT_TIMEOUT_MS = 10_000
/** Idle keep-alive sockets are closed after this, or sooner when the server's Keep-Alive says so. */
export const KEEP_ALIVE_TIMEOUT_MS = 10_000
/** Sockets per origin. 50 req/s with answers up to 2 s needs ~100 in flight. */
export const CONNECTIONS_PER_ORIGIN = 128
/** A body larger than this after decompression is refused (a 500-event page is a few MB). */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024
export const USER_AGENT = 'polyhouse/0.1 (+https://github.com/polyhouse)'

export interface HttpClientOptions {
  /** The limit of every family, e.g. `resolveHttpConfig().rateLimits`; the documented ones by default. */
  rateLimits?: Readonly<Record<string, RateLimit>>
  maxAttempts?: number
  backoffBaseMs?: number
  backoffMaxMs?: number
  headersTimeoutMs?: number
  bodyTimeoutMs?: number
  requestTimeoutMs?: number
  connectTimeoutMs?: number
  /** Ask for gzip/brotli bodies (default true): a 100-market page shrinks ~10×. */
  compress?: boolean
  clock?: Clock
  random?: () => number
  /** Called before each retry's wait, e.g. to log at debug level. */
  onRetry?: (event: HttpRetryEvent) => void
}

export interface HttpRetryEvent extends RetryEvent {
  family: string
  label: string
}

export interface FetchJsonOptions<T> {
  /** Validates the whole response; a mismatch throws SchemaMismatchError (not retried). */
  schema?: z.ZodType<T>
  /** Aborting stops waiting, retrying and reading, with InterruptedError. */
  signal?: AbortSignal | undefined
  /** GET by default, POST when `body` is given (sent as JSON). */
  method?: 'GET' | 'POST'
  body?: unknown
  headers?: Record<string, string>
  /** Names the request in errors; by default the method and URL (the RPC family shows only its origin). */
  label?: string
}

export class HttpClient {
  readonly limiters: RateLimiters
  readonly stats = new HttpStats()
  readonly #agent: Agent
  readonly #options: HttpClientOptions

  constructor(options: HttpClientOptions = {}) {
    this.#options = options
    this.limiters = new RateLimiters(options.rateLimits ?? DEFAULT_RATE_LIMITS, { clock: options.clock })
    this.#agent = new Agent({
      connections: CONNECTIONS_PER_ORIGIN,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      headersTimeout: options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS,
      bodyTimeout: options.bodyTimeoutMs ?? BODY_TIMEOUT_MS,
      connect: { timeout: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS },
    })
  }

  /**
   * Fetches `url` as JSON, paced by `family`'s limiter (a name from DEFAULT_RATE_LIMITS, e.g.
   * `gamma-markets`). Returns the parsed body, or the schema's output when one is given. Throws
   * HttpStatusError (4xx), SchemaMismatchError, AttemptsExhaustedError (retryable: the unit stays
   * not done), InterruptedError, or NonRetryableError (unrecognised transport failures).
   */
  async fetchJson<T = unknown>(
    family: string,
    url: string | URL,
    options: FetchJsonOptions<T> = {},
  ): Promise<T> {
    const limiter = this.limiters.get(family)
    const counters = this.stats.counters(family)
    const target = new URL(url)
    const method = options.method ?? (options.body === undefined ? 'GET' : 'POST')
    const label = options.label ?? describeRequest(method, target, family)
    // Every request of a run shares its signal, each adding (and later removing) an abort
    // listener; thousands at once are expected, not a leak.
    if (options.signal) setMaxListeners(0, options.signal)
    try {
      const response = await withRetry(
        async () => {
          const startedAt = await limiter.acquire(options.signal)
          counters.requests++
          counters.inFlight++
          counters.firstRequestAt ??= startedAt
          counters.lastRequestAt = startedAt
          try {
            const answer = await this.#send(target, method, label, options, counters)
            limiter.onSuccess()
            return answer
          } catch (error) {
            counters.errors++
            if (error instanceof RateLimitedError) {
              counters.rateLimited++
              limiter.onRateLimited({ startedAt, retryAfterMs: error.retryAfterMs })
            } else if (error instanceof RetryableError && error.retryAfterMs !== undefined) {
              limiter.pause(error.retryAfterMs)
            }
            throw error
          } finally {
            counters.inFlight--
          }
        },
        {
          maxAttempts: this.#options.maxAttempts,
          baseDelayMs: this.#options.backoffBaseMs,
          maxDelayMs: this.#options.backoffMaxMs,
          signal: options.signal,
          label,
          random: this.#options.random,
          onRetry: (event) => {
            counters.retries++
            this.#options.onRetry?.({ ...event, family, label })
          },
        },
      )
      const value = options.schema ? validate(options.schema, response, label) : (response.json as T)
      counters.succeeded++
      return value
    } catch (error) {
      if (!(error instanceof InterruptedError)) counters.failed++
      throw error
    }
  }

  /** Counters and limiter state per family, for progress lines and benches. */
  snapshot(): FamilyStats[] {
    return this.stats.snapshot(this.limiters.states())
  }

  /** The live counters of one family (read-only use). */
  counters(family: string): Readonly<FamilyCounters> {
    return this.stats.counters(family)
  }

  async close(): Promise<void> {
    await this.#agent.close()
  }

  /** One attempt: send, read the whole body, classify. Throws typed errors only. */
  async #send(
    url: URL,
    method: 'GET' | 'POST',
    label: string,
    options: FetchJsonOptions<unknown>,
    counters: FamilyCounters,
  ): Promise<{ json: unknown; raw: string }> {
    const requestTimeoutMs = this.#options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS
    const controller = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, requestTimeoutMs)
    const stop = () => controller.abort()
    options.signal?.addEventListener('abort', stop, { once: true })
    let status: number
    let headers: Record<string, string | string[] | undefined>
    let raw: string
    try {
      const response = await this.#agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        headers: this.#headers(options),
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: controller.signal,
      })
      status = response.statusCode
      headers = response.headers
      const buffer = await decompress(
        Buffer.from(await response.body.arrayBuffer()),
        headerValue(response.headers['content-encoding']),
      )
      counters.bytes += buffer.byteLength
      raw = buffer.toString('utf8')
    } catch (error) {
      if (options.signal?.aborted) throw new InterruptedError(`stopped during ${label}`, { cause: error })
      if (timedOut) {
        throw new RetryableError(`${label}: no complete answer within ${requestTimeoutMs} ms`, {
          cause: error,
        })
      }
      const verdict = classifyTransportError(error)
      if (verdict.retryable) throw new RetryableError(`${label}: ${verdict.reason}`, { cause: error })
      throw new NonRetryableError(`${label}: ${verdict.reason}`, { cause: error })
    } finally {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', stop)
    }

    const contentType = headerValue(headers['content-type'])
    const verdict = classifyResponse({ status, contentType, body: raw })
    if (verdict.kind === 'ok') return { json: verdict.json, raw }
    const retryAfterMs = parseRetryAfter(headers['retry-after'], Date.now())
    const message = `${label}: ${verdict.reason}`
    if (verdict.kind === 'rate-limited') throw new RateLimitedError(message, { retryAfterMs })
    if (verdict.retryable) throw new RetryableError(message, { retryAfterMs })
    throw new HttpStatusError(status, message, {
      hint:
        verdict.kind === 'blocked'
          ? 'Cloudflare is refusing this client; lower --rate or try later'
          : undefined,
    })
  }

  #headers(options: FetchJsonOptions<unknown>): Record<string, string> {
    return {
      accept: 'application/json',
      'user-agent': USER_AGENT,
      ...(this.#options.compress === false ? {} : { 'accept-encoding': 'gzip, br' }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    }
  }
}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  return new HttpClient(options)
}

function validate<T>(schema: z.ZodType<T>, response: { json: unknown; raw: string }, label: string): T {
  const result = schema.safeParse(response.json)
  if (result.success) return result.data
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
  const shown = issues.slice(0, 3).join('; ') + (issues.length > 3 ? `; and ${issues.length - 3} more` : '')
  throw new SchemaMismatchError(
    `${label}: response does not match its schema: ${shown}`,
    issues,
    response.raw,
  )
}

/** `GET https://host/path?query` without credentials; RPC URLs often carry an API key in the path, so only their origin. */
function describeRequest(method: string, url: URL, family: string): string {
  if (family === 'rpc') return `${method} ${url.protocol}//${url.host} (rpc)`
  const shown = new URL(url)
  shown.username = ''
  shown.password = ''
  return `${method} ${shown.href}`
}

const DECOMPRESSORS: Record<
  string,
  (input: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>
> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  br: promisify(brotliDecompress),
  deflate: promisify(inflate),
}

/** Undoes Content-Encoding. A body cut short fails here with Z_BUF_ERROR, which is retried. */
async function decompress(body: Buffer, encoding: string | undefined): Promise<Buffer> {
  const name = encoding?.trim().toLowerCase()
  if (!name || name === 'identity') return body
  const decoder = DECOMPRESSORS[name]
  if (!decoder) throw new NonRetryableError(`unsupported Content-Encoding '${encoding}'`)
  return decoder(body, { maxOutputLength: MAX_RESPONSE_BYTES })
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
