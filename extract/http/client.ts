// The one way extractors call the JSON APIs: `fetchJson(family, url, { schema, signal })` paces the
// request through its family's limiter, retries what may succeed later, and throws typed errors
// (core/errors.ts) for the rest. The wire is extract/http/transport.ts, shared with the JSON-RPC
// client (extract/chain/rpc.ts); what an answer means is classify.ts.
import { setMaxListeners } from 'node:events'
import type { z } from 'zod'
import { InterruptedError, SchemaMismatchError } from '../../core/errors.ts'
import { redactUrl, scrubUrlParts } from '../../core/redact.ts'
import { classifyResponse } from './classify.ts'
import { urlSettingOf } from './config.ts'
import { EndpointFamily, type PauseListener } from './endpoint.ts'
import { type Clock, RateLimiters } from './limiter.ts'
import { DEFAULT_RATE_LIMITS, type RateLimit } from './rates.ts'
import { type RetryEvent, withRetry } from './retry.ts'
import { SourceHealth } from './source-health.ts'
import { type FamilyCounters, type FamilyStats, HttpStats } from './stats.ts'
import { bodyText, HttpTransport, type TransportOptions } from './transport.ts'

export const USER_AGENT = 'polyhouse/0.1 (+https://github.com/polyhouse)'

export interface HttpClientOptions extends TransportOptions {
  /** The limit of every family, e.g. `resolveHttpConfig().rateLimits`; the documented ones by default. */
  rateLimits?: Readonly<Record<string, RateLimit>>
  /** Longest pause a Retry-After may impose (MAX_PAUSE_MS; `resolveHttpConfig().maxPauseMs`). */
  maxPauseMs?: number | undefined
  maxAttempts?: number
  backoffBaseMs?: number
  backoffMaxMs?: number
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
  /** Names the request in errors; by default the method, the URL's origin and the family. */
  label?: string
}

export class HttpClient {
  readonly limiters: RateLimiters
  readonly stats = new HttpStats()
  readonly #transport: HttpTransport
  readonly #health = new SourceHealth({ settingOf: (url) => this.#settingOf.get(url.host) })
  readonly #settingOf = new Map<string, string>()
  readonly #families = new Map<string, EndpointFamily>()
  readonly #pauseListeners = new Set<PauseListener>()
  readonly #options: HttpClientOptions

  constructor(options: HttpClientOptions = {}) {
    this.#options = options
    this.limiters = new RateLimiters(options.rateLimits ?? DEFAULT_RATE_LIMITS, { clock: options.clock })
    this.#transport = new HttpTransport(options)
  }

  /**
   * Fetches `url` as JSON, paced by `family`'s limiter (a name from DEFAULT_RATE_LIMITS, e.g.
   * `gamma-markets`). Returns the parsed body, or the schema's output when one is given. Throws
   * HttpStatusError (4xx), SchemaMismatchError, AttemptsExhaustedError (retryable: the unit stays
   * not done), SourceUnavailableError (the source never worked), InterruptedError, or
   * NonRetryableError (unrecognised transport failures).
   */
  async fetchJson<T = unknown>(
    family: string,
    url: string | URL,
    options: FetchJsonOptions<T> = {},
  ): Promise<T> {
    const endpoint = this.#endpoint(family)
    const target = new URL(url)
    const setting = urlSettingOf(family)
    if (setting) this.#settingOf.set(target.host, setting)
    const method = options.method ?? (options.body === undefined ? 'GET' : 'POST')
    const label = options.label ?? `${method} ${redactUrl(target.href)} (${family})`
    const request = {
      url: target,
      method,
      label,
      headers: this.#headers(options),
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    }
    // Every request of a run shares its signal, each adding (and later removing) an abort
    // listener; thousands at once are expected, not a leak.
    if (options.signal) setMaxListeners(0, options.signal)
    try {
      const response = await withRetry(
        async () => {
          const { reply, startedAt } = await endpoint.send(this.#transport, request)
          const raw = bodyText(reply.bytes)
          const verdict = classifyResponse({
            status: reply.status,
            contentType: reply.contentType,
            body: raw,
          })
          if (verdict.kind !== 'ok') {
            const failure = {
              ...verdict,
              reason: scrubUrlParts(verdict.reason, target),
              status: reply.status,
              retryAfterMs: reply.retryAfterMs,
            }
            throw endpoint.failed(target, failure, label, { startedAt })
          }
          endpoint.answered(target)
          return { json: verdict.json, raw }
        },
        {
          maxAttempts: this.#options.maxAttempts,
          baseDelayMs: this.#options.backoffBaseMs,
          maxDelayMs: this.#options.backoffMaxMs,
          signal: options.signal,
          label,
          random: this.#options.random,
          onRetry: (event) => {
            endpoint.counters.retries++
            this.#options.onRetry?.({ ...event, family, label })
          },
        },
      )
      const value = options.schema ? validate(options.schema, response, label) : (response.json as T)
      endpoint.counters.succeeded++
      return value
    } catch (error) {
      if (!(error instanceof InterruptedError)) endpoint.counters.failed++
      throw error
    }
  }

  /**
   * Calls `listener` whenever a family of this client pauses long enough to be news (a server's
   * Retry-After, see PAUSE_NOTE_MS), until the returned function is called. Steps subscribe while
   * they run and turn the event into a progress note (describePause).
   */
  onPause(listener: PauseListener): () => void {
    this.#pauseListeners.add(listener)
    return () => this.#pauseListeners.delete(listener)
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
    await this.#transport.close()
  }

  #endpoint(family: string): EndpointFamily {
    let endpoint = this.#families.get(family)
    if (!endpoint) {
      endpoint = new EndpointFamily(
        family,
        this.limiters.get(family),
        this.stats.counters(family),
        this.#health,
        { maxPauseMs: this.#options.maxPauseMs, listeners: this.#pauseListeners },
      )
      this.#families.set(family, endpoint)
    }
    return endpoint
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
