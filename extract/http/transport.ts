// One HTTP attempt over undici, for every source (Gamma, the Data API, JSON-RPC): keep-alive
// sockets, a deadline on the whole exchange, a cap on the body as it streams in, Content-Encoding
// undone, and every way it can fail described as a Failure (failure.ts). It knows neither JSON nor
// limits nor retries: the clients above it do.
import type { IncomingHttpHeaders } from 'node:http'
import { promisify } from 'node:util'
import { brotliDecompress, gunzip, inflate } from 'node:zlib'
import { Agent } from 'undici'
import { InterruptedError } from '../../core/errors.ts'
import { classifyTransportError, parseRetryAfter } from './classify.ts'
import type { Failure } from './failure.ts'

/** No response headers in this long means a hung request. The APIs answer in well under a second. */
export const HEADERS_TIMEOUT_MS = 15_000
/** Longest silence between two chunks of a body (undici's bodyTimeout). */
export const BODY_TIMEOUT_MS = 15_000
/**
 * The whole exchange, headers and body. A body that trickles (a byte a second) never trips the
 * per-chunk timeout, so this is what ends it. The largest page the APIs serve (500 events) is a
 * few MB, seconds on a slow link; 30 s bounds what one such attempt can cost.
 */
export const REQUEST_TIMEOUT_MS = 30_000
/** TCP + TLS handshake (undici's default). */
export const CONNECT_TIMEOUT_MS = 10_000
/** Idle keep-alive sockets are closed after this, or sooner when the server's Keep-Alive says so. */
export const KEEP_ALIVE_TIMEOUT_MS = 10_000
/** Sockets per origin. 50 req/s with answers up to 2 s needs ~100 in flight. */
export const CONNECTIONS_PER_ORIGIN = 128
/**
 * A body larger than this, on the wire or decompressed, is refused as it streams in: a 500-event
 * page is a few MB, so this is never a real page, and memory stays bounded by it per request even
 * when a server sends without end.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024

export interface TransportOptions {
  headersTimeoutMs?: number
  bodyTimeoutMs?: number
  requestTimeoutMs?: number
  connectTimeoutMs?: number
  keepAliveTimeoutMs?: number
  connections?: number
  maxResponseBytes?: number
}

export interface HttpRequest {
  url: URL
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body?: string | undefined
  /** Aborting ends the attempt with InterruptedError. */
  signal?: AbortSignal | undefined
  /** Names the request in messages; never the URL's path or query (core/redact.ts). */
  label: string
  /** Read the body into this buffer (grown when too small; the one used is `backing` of the reply). */
  into?: Buffer | undefined
}

export interface HttpReply {
  status: number
  headers: IncomingHttpHeaders
  contentType: string | undefined
  /** The body, decompressed. */
  bytes: Buffer
  /** The buffer `bytes` lies in, when the body was read `into` one. */
  backing?: Buffer
  /** What Retry-After asked for, in ms (uncapped; failure.ts caps it). */
  retryAfterMs: number | undefined
}

export type Sent = { ok: true; reply: HttpReply } | { ok: false; failure: Failure; cause?: unknown }

export class HttpTransport {
  readonly maxResponseBytes: number
  readonly requestTimeoutMs: number
  readonly #agent: Agent

  constructor(options: TransportOptions = {}) {
    this.maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES
    this.requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS
    this.#agent = new Agent({
      connections: options.connections ?? CONNECTIONS_PER_ORIGIN,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? KEEP_ALIVE_TIMEOUT_MS,
      headersTimeout: options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS,
      bodyTimeout: options.bodyTimeoutMs ?? BODY_TIMEOUT_MS,
      connect: { timeout: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS },
    })
  }

  /** One attempt. Resolves with the answer or what went wrong; rejects only with InterruptedError. */
  async send(request: HttpRequest): Promise<Sent> {
    const controller = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, this.requestTimeoutMs)
    const stop = () => controller.abort()
    request.signal?.addEventListener('abort', stop, { once: true })
    try {
      const response = await this.#agent.request({
        origin: request.url.origin,
        path: `${request.url.pathname}${request.url.search}`,
        method: request.method,
        headers: withCredentials(request.url, request.headers),
        body: request.body,
        signal: controller.signal,
      })
      const declared = Number(response.headers['content-length'])
      const body =
        declared > this.maxResponseBytes ? undefined : await this.#read(response.body, request.into)
      if (!body) {
        response.body.destroy()
        return { ok: false, failure: this.#tooLarge() }
      }
      const encoding = headerValue(response.headers['content-encoding'])?.trim().toLowerCase()
      if (encoding && encoding !== 'identity' && !DECOMPRESSORS[encoding]) {
        const reason = `unsupported Content-Encoding '${encoding}'`
        return { ok: false, failure: { kind: 'unknown', retryable: false, reason } }
      }
      const bytes = await decompress(body.bytes, encoding, this.maxResponseBytes)
      if (!bytes) return { ok: false, failure: this.#tooLarge() }
      const reply: HttpReply = {
        status: response.statusCode,
        headers: response.headers,
        contentType: headerValue(response.headers['content-type']),
        bytes,
        retryAfterMs: parseRetryAfter(response.headers['retry-after'], Date.now()),
      }
      if (body.backing && bytes === body.bytes) reply.backing = body.backing
      return { ok: true, reply }
    } catch (error) {
      if (request.signal?.aborted) {
        throw new InterruptedError(`stopped during ${request.label}`, { cause: error })
      }
      if (timedOut) {
        const reason = `no complete answer within ${this.requestTimeoutMs} ms`
        return { ok: false, failure: { kind: 'timeout', retryable: true, reason }, cause: error }
      }
      const verdict = classifyTransportError(error)
      return { ok: false, failure: verdict, cause: error }
    } finally {
      clearTimeout(timer)
      request.signal?.removeEventListener('abort', stop)
    }
  }

  async close(): Promise<void> {
    await this.#agent.close()
  }

  /** The body's bytes, or undefined as soon as they pass the cap (the rest is never read). */
  async #read(
    body: AsyncIterable<Buffer>,
    into: Buffer | undefined,
  ): Promise<{ bytes: Buffer; backing?: Buffer } | undefined> {
    const max = this.maxResponseBytes
    if (into === undefined) {
      const chunks: Buffer[] = []
      let length = 0
      for await (const chunk of body) {
        length += chunk.length
        if (length > max) return undefined
        chunks.push(chunk)
      }
      return { bytes: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length) }
    }
    let backing = into
    let length = 0
    for await (const chunk of body) {
      if (length + chunk.length > max) return undefined
      if (length + chunk.length > backing.length) {
        const grown = Buffer.allocUnsafeSlow(
          Math.min(max, Math.max(2 * backing.length, length + chunk.length)),
        )
        backing.copy(grown, 0, 0, length)
        backing = grown
      }
      length += chunk.copy(backing, length)
    }
    return { bytes: backing.subarray(0, length), backing }
  }

  #tooLarge(): Failure {
    const mib = (this.maxResponseBytes / 2 ** 20).toFixed(0)
    return {
      kind: 'too-large',
      retryable: true,
      reason: `the response passed ${mib} MiB and was cut off (no page is that large: the server may be sending without end)`,
    }
  }
}

/** The body as text; a UTF-8 byte-order mark (some gateways send one) is not part of the JSON. */
export function bodyText(bytes: Buffer): string {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
  return bytes.toString('utf8', bom)
}

/** `https://user:password@host` is how some RPC providers take credentials: sent as Basic auth. */
function withCredentials(url: URL, headers: Record<string, string>): Record<string, string> {
  if (url.username === '' && url.password === '') return headers
  if (Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) return headers
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
  return { ...headers, authorization: `Basic ${Buffer.from(credentials).toString('base64')}` }
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

/**
 * Undoes a known Content-Encoding (lower case); undefined when the output would pass `max`. A body cut short fails here
 * with Z_BUF_ERROR, which classifyTransportError calls truncated (retried).
 */
async function decompress(
  body: Buffer,
  encoding: string | undefined,
  max: number,
): Promise<Buffer | undefined> {
  const decoder = encoding === undefined ? undefined : DECOMPRESSORS[encoding]
  if (!decoder) return body
  try {
    return await decoder(body, { maxOutputLength: max })
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return undefined
    throw error
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
