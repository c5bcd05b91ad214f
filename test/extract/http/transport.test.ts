// The wire under every source: bodies capped as they stream in, a deadline on the whole exchange,
// credentials in a URL sent as Basic auth and never shown.
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import {
  AttemptsExhaustedError,
  isRetryable,
  ResponseTooLargeError,
  RetryableError,
} from '../../../core/errors.ts'
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../../../extract/http/client.ts'
import { MAX_RESPONSE_BYTES } from '../../../extract/http/transport.ts'
import { type FakeServer, type Handler, sendJson, startServer } from './fake-server.ts'

const FAST: HttpClientOptions = {
  backoffBaseMs: 5,
  backoffMaxMs: 20,
  rateLimits: { 'gamma-markets': { count: 1_000, windowMs: 1_000 } },
}

let server: FakeServer | undefined
let client: HttpClient | undefined
afterEach(async () => {
  await client?.close()
  await server?.close()
  client = undefined
  server = undefined
})

async function setup(handler: Handler, options: HttpClientOptions = {}) {
  server = await startServer(handler)
  client = createHttpClient({ ...FAST, ...options })
  return { server, client }
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

/** A Gamma gone wrong: `[{"id":"1"},{"id":"1"},…` forever, 64 KiB a millisecond at most. */
const endless: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' })
  const chunk = Buffer.from('{"id":"1"},'.repeat(6_000))
  res.write('[')
  const timer = setInterval(() => {
    if (res.destroyed || res.writableEnded) clearInterval(timer)
    else res.write(chunk)
  }, 1)
  res.once('close', () => clearInterval(timer))
}

describe('response bodies are capped as they stream in', () => {
  it('fails a body that never ends with a clear retryable error, memory bounded', async () => {
    // A deadline far beyond the time the cap takes, so only the cap can end these requests.
    const { client } = await setup(endless, {
      maxAttempts: 1,
      requestTimeoutMs: 60_000,
      bodyTimeoutMs: 60_000,
    })
    const rssBefore = process.memoryUsage().rss
    let peak = rssBefore
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 20)
    const started = performance.now()
    const errors = await Promise.all(
      [1, 2, 3, 4].map(() => caught(client.fetchJson('gamma-markets', `${server?.url}/markets/keyset`))),
    )
    clearInterval(sampler)
    for (const error of errors) {
      expect(error).toBeInstanceOf(AttemptsExhaustedError)
      const cause = (error as Error).cause
      expect(cause).toBeInstanceOf(ResponseTooLargeError)
      expect(isRetryable(cause)).toBe(true)
      expect((cause as Error).message).toMatch(
        /^GET http:\/\/127\.0\.0\.1:\d+\/… \(gamma-markets\): the response passed 64 MiB and was cut off/,
      )
    }
    // Four requests at 64 MiB each, and what the garbage collector has not yet returned.
    expect(peak - rssBefore).toBeLessThan(4 * MAX_RESPONSE_BYTES + 256 * 2 ** 20)
    expect(performance.now() - started).toBeLessThan(30_000)
  }, 60_000)

  it('refuses a declared Content-Length over the cap without reading it, and a body that inflates past it', async () => {
    const bomb = gzipSync(Buffer.alloc(8 * 2 ** 20, 0x20))
    const { client } = await setup(
      (req, res) => {
        if (req.url === '/declared') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2 ** 30) })
          res.write('[')
          return
        }
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'content-length': bomb.length,
        })
        res.end(bomb)
      },
      { maxAttempts: 1, maxResponseBytes: 2 ** 20 },
    )
    for (const path of ['/declared', '/bomb']) {
      const error = await caught(client.fetchJson('gamma-markets', `${server?.url}${path}`))
      expect((error as Error).cause, path).toBeInstanceOf(ResponseTooLargeError)
      expect((error as Error).message).toContain('passed 1 MiB')
    }
  })
})

describe('the deadline is on the whole exchange', () => {
  it('ends a body that trickles a byte at a time, though no chunk is ever late', async () => {
    const { client } = await setup(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        const timer = setInterval(() => res.write(' '), 100)
        res.once('close', () => clearInterval(timer))
      },
      { maxAttempts: 2, requestTimeoutMs: 800, bodyTimeoutMs: 10_000 },
    )
    const started = performance.now()
    const error = await caught(client.fetchJson('gamma-markets', `${server?.url}/markets`))
    const elapsed = performance.now() - started
    expect(error).toBeInstanceOf(AttemptsExhaustedError)
    expect((error as Error).cause).toBeInstanceOf(RetryableError)
    expect((error as Error).message).toContain('no complete answer within 800 ms')
    // Two attempts of 800 ms and a backoff of at most 20 ms; the per-chunk timeout (10 s) never fired.
    expect(elapsed).toBeGreaterThanOrEqual(1_550)
    expect(elapsed).toBeLessThan(5_000)
  })
})

describe('credentials in the URL', () => {
  it('are sent as Basic auth and appear in no message', async () => {
    const { server, client } = await setup((req, res) => {
      if (req.headers.authorization === `Basic ${Buffer.from('me:s3cr3t-pass').toString('base64')}`)
        sendJson(res, 503, { error: 'down' })
      else sendJson(res, 401, { error: 'no credentials' })
    })
    const url = new URL(`${server.url}/v2/SECRET-PATH-KEY?apikey=SECRET-QUERY-KEY#SECRET-FRAGMENT`)
    url.username = 'me'
    url.password = 's3cr3t-pass'
    const error = await caught(client.fetchJson('gamma-markets', url, { headers: {} }))
    // 503 (retried), not 401: the credentials arrived.
    expect(error).toBeInstanceOf(AttemptsExhaustedError)
    expect(server.arrivals[0]?.path).toBe('/v2/SECRET-PATH-KEY?apikey=SECRET-QUERY-KEY')
    for (const text of [(error as Error).message, ((error as Error).cause as Error).message]) {
      expect(text).not.toMatch(/SECRET|s3cr3t|me:/)
      expect(text).toContain(`${server.url}/…`)
    }
  })

  it('are scrubbed from what a server echoes back', async () => {
    const { server, client } = await setup((req, res) =>
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`Cannot GET ${req.url}`),
    )
    const error = await caught(client.fetchJson('gamma-markets', `${server.url}/v2/abcdef0123456789/markets`))
    expect((error as Error).message).not.toContain('abcdef0123456789')
    expect((error as Error).message).toMatch(/HTTP 404: Cannot GET …/)
  })
})
