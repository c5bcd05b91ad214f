import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  AttemptsExhaustedError,
  HttpStatusError,
  InterruptedError,
  isRetryable,
  RetryableError,
  SchemaMismatchError,
} from '../../../core/errors.ts'
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../../../extract/http/client.ts'
import { type FamilyStats, formatFamilyStats } from '../../../extract/http/stats.ts'
import { type FakeServer, type Handler, sendJson, startServer, until } from './fake-server.ts'

// Fast everything except the limit under test: tiny backoff, short timeouts, a generous rate.
const FAST: HttpClientOptions = {
  backoffBaseMs: 5,
  backoffMaxMs: 20,
  headersTimeoutMs: 300,
  bodyTimeoutMs: 300,
  rateLimits: {
    'gamma-markets': { count: 1_000, windowMs: 1_000 },
    'gamma-events': { count: 1_000, windowMs: 1_000 },
    'data-api-positions': { count: 1_000, windowMs: 1_000 },
    rpc: { count: 1_000, windowMs: 1_000 },
  },
}

const MARGIN_MS = 30 // timestamps come from two clocks read a few ms apart

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

/** Answers the first `failures` requests with `fault`, then a small JSON page. */
function failThenOk(failures: number, fault: Handler): Handler {
  return (req, res, context) => {
    if (context.index < failures) return fault(req, res, context)
    sendJson(res, 200, { markets: [{ id: '540816' }], next_cursor: 'abc' })
  }
}

const page = { markets: [{ id: '540816' }], next_cursor: 'abc' }

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

describe('fetchJson', () => {
  it('returns parsed JSON, validated by a schema when given', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 200, page))
    const schema = z.object({
      markets: z.array(z.object({ id: z.string() })),
      next_cursor: z.string().optional(),
    })
    await expect(
      client.fetchJson('gamma-markets', `${server.url}/markets/keyset?limit=100`, { schema }),
    ).resolves.toEqual(page)
    expect(server.arrivals[0]?.path).toBe('/markets/keyset?limit=100')
    expect(client.counters('gamma-markets')).toMatchObject({
      requests: 1,
      succeeded: 1,
      retries: 0,
      errors: 0,
      failed: 0,
    })
    expect(client.counters('gamma-markets').bytes).toBe(JSON.stringify(page).length)
  })

  it('decompresses gzip bodies', async () => {
    const { server, client } = await setup((req, res) => {
      expect(req.headers['accept-encoding']).toContain('gzip')
      const body = gzipSync(JSON.stringify(page))
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': body.length,
      })
      res.end(body)
    })
    await expect(client.fetchJson('gamma-markets', `${server.url}/markets`)).resolves.toEqual(page)
  })

  it('POSTs a JSON body (RPC) and keeps the URL path out of messages', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 400, { error: 'bad' }))
    const error = await caught(
      client.fetchJson('rpc', `${server.url}/v2/SECRET-API-KEY`, {
        body: { jsonrpc: '2.0', id: 1, method: 'eth_blockNumber' },
      }),
    )
    expect(server.arrivals[0]).toMatchObject({
      method: 'POST',
      body: '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}',
    })
    expect((error as Error).message).not.toContain('SECRET')
  })

  it('refuses an endpoint family without a limit', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 200, page))
    await expect(client.fetchJson('gamma-comments', `${server.url}/comments`)).rejects.toThrow(
      /no rate limit/,
    )
    expect(server.arrivals).toHaveLength(0)
  })
})

describe('retries', () => {
  it.each<[string, Handler]>([
    ['503 JSON', (_req, res) => sendJson(res, 503, { error: 'service unavailable' })],
    [
      '500 text',
      (_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error'),
    ],
    ['hung request (no headers)', () => {}],
    [
      'stalled body',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' })
        res.write('{"markets":[')
      },
    ],
    ['connection reset', (req) => req.socket.destroy()],
    [
      'body shorter than its Content-Length',
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' })
        res.write('{"markets":[{"id":"540816"')
        setTimeout(() => res.socket?.destroy(), 10)
      },
    ],
    [
      'complete response carrying cut JSON',
      (_req, res) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"markets":[{"id":"5408'),
    ],
    [
      'gzip body cut short',
      (_req, res) => {
        const body = gzipSync(JSON.stringify(page)).subarray(0, 20)
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'content-length': body.length,
        })
        res.end(body)
      },
    ],
    [
      'Cloudflare 522 page',
      (_req, res) =>
        res
          .writeHead(522, { 'content-type': 'text/html; charset=UTF-8', server: 'cloudflare' })
          .end(
            '<!DOCTYPE html><html><head><title>gamma-api.polymarket.com | 522: Connection timed out</title></head><body><div id="cf-error-details"><span class="code-label">Error code 522</span> Cloudflare Ray ID: <strong>8e4b2f1c9a7d3e21</strong></div></body></html>',
          ),
    ],
    [
      '200 carrying a Cloudflare HTML page',
      (_req, res) =>
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(
            '<!DOCTYPE html><html><head><title>gamma-api.polymarket.com | 520: Web server is returning an unknown error</title></head><body>cloudflare</body></html>',
          ),
    ],
  ])('retries a %s, then succeeds', async (_name, fault) => {
    const { server, client } = await setup(failThenOk(2, fault))
    await expect(client.fetchJson('gamma-markets', `${server.url}/markets/keyset`)).resolves.toEqual(page)
    expect(server.arrivals).toHaveLength(3)
    expect(client.counters('gamma-markets')).toMatchObject({
      requests: 3,
      retries: 2,
      errors: 2,
      succeeded: 1,
      failed: 0,
    })
  })

  it('gives up after MAX_ATTEMPTS with a retryable error carrying the last cause', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 503, { error: 'down' }))
    const error = await caught(client.fetchJson('data-api-positions', `${server.url}/positions?user=0xabc`))
    expect(error).toBeInstanceOf(AttemptsExhaustedError)
    expect(isRetryable(error)).toBe(true)
    expect((error as AttemptsExhaustedError).attempts).toBe(6)
    expect((error as Error).message).toContain('failed after 6 attempts')
    const cause = (error as Error).cause
    expect(cause).toBeInstanceOf(RetryableError)
    expect((cause as Error).message).toContain('HTTP 503')
    expect(server.arrivals).toHaveLength(6)
    expect(client.counters('data-api-positions')).toMatchObject({
      requests: 6,
      retries: 5,
      errors: 6,
      failed: 1,
    })
  })

  it.each([400, 404, 422])('does not retry %i', async (status) => {
    const { server, client } = await setup((_req, res) => sendJson(res, status, { error: 'id not found' }))
    const error = await caught(client.fetchJson('gamma-events', `${server.url}/events/999999999`))
    expect(error).toBeInstanceOf(HttpStatusError)
    expect((error as HttpStatusError).status).toBe(status)
    expect(isRetryable(error)).toBe(false)
    // The host is shown, never the path or query: keys sit there (core/redact.ts).
    expect((error as Error).message).toContain(`GET ${server.url}/… (gamma-events): HTTP ${status}`)
    expect((error as Error).message).not.toContain('999999999')
    expect(server.arrivals).toHaveLength(1)
    expect(client.counters('gamma-events')).toMatchObject({ requests: 1, retries: 0, failed: 1 })
  })

  it('does not retry a schema mismatch, and keeps the raw body for the quarantine', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 200, { markets: 'nope' }))
    const schema = z.object({ markets: z.array(z.unknown()) })
    const error = await caught(client.fetchJson('gamma-markets', `${server.url}/markets/keyset`, { schema }))
    expect(error).toBeInstanceOf(SchemaMismatchError)
    expect(isRetryable(error)).toBe(false)
    expect((error as SchemaMismatchError).issues[0]).toMatch(/^markets: /)
    expect((error as SchemaMismatchError).raw).toBe('{"markets":"nope"}')
    expect(server.arrivals).toHaveLength(1)
  })

  it('stops retrying when the signal aborts', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 503, { error: 'down' }), {
      backoffBaseMs: 60_000,
      backoffMaxMs: 60_000,
      random: () => 0.99,
    })
    const controller = new AbortController()
    const pending = client.fetchJson('gamma-markets', `${server.url}/markets`, { signal: controller.signal })
    await until(() => client.counters('gamma-markets').retries === 1)
    controller.abort()
    await expect(pending).rejects.toBeInstanceOf(InterruptedError)
    expect(server.arrivals).toHaveLength(1)
  })

  it('aborts a request in flight', async () => {
    const { server, client } = await setup(() => {}, { headersTimeoutMs: 60_000 })
    const controller = new AbortController()
    const pending = client.fetchJson('gamma-markets', `${server.url}/markets`, { signal: controller.signal })
    await until(() => server.arrivals.length === 1)
    controller.abort()
    await expect(pending).rejects.toBeInstanceOf(InterruptedError)
  })
})

describe('Retry-After and 429', () => {
  it('honours Retry-After in seconds', async () => {
    const { server, client } = await setup(
      failThenOk(1, (_req, res) =>
        sendJson(res, 429, { error: 'Too Many Requests' }, { 'retry-after': '1' }),
      ),
    )
    await client.fetchJson('data-api-positions', `${server.url}/positions`)
    const [first, second] = server.arrivals
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1_000 - MARGIN_MS)
    expect(client.counters('data-api-positions')).toMatchObject({ requests: 2, rateLimited: 1, retries: 1 })
  })

  it('honours Retry-After as an HTTP-date', async () => {
    let retryAt = 0
    const { server, client } = await setup(
      failThenOk(1, (_req, res) => {
        const date = new Date(Date.now() + 2_000)
        retryAt = Math.floor(date.getTime() / 1_000) * 1_000 // HTTP-dates have whole seconds
        sendJson(res, 429, { error: 'Too Many Requests' }, { 'retry-after': date.toUTCString() })
      }),
    )
    await client.fetchJson('data-api-positions', `${server.url}/positions`)
    expect(server.arrivals[1]?.wallAt).toBeGreaterThanOrEqual(retryAt - MARGIN_MS)
  })

  it('pauses the whole family, not just the request that got the 429', async () => {
    const { server, client } = await setup((req, res) => {
      if (req.url === '/positions?user=a' && server.arrivals.length === 1) {
        sendJson(res, 429, { error: 'Too Many Requests' }, { 'retry-after': '1' })
      } else sendJson(res, 200, [])
    })
    const first = client.fetchJson('data-api-positions', `${server.url}/positions?user=a`)
    await until(() => client.counters('data-api-positions').rateLimited === 1)
    const other = client.fetchJson('data-api-positions', `${server.url}/positions?user=b`)
    // Another family is not paused.
    await client.fetchJson('gamma-markets', `${server.url}/markets`)
    await Promise.all([first, other])
    const byPath = (path: string) => server.arrivals.find((arrival) => arrival.path === path)?.at ?? 0
    const throttledAt = server.arrivals[0]?.at ?? 0
    expect(byPath('/positions?user=b') - throttledAt).toBeGreaterThanOrEqual(1_000 - MARGIN_MS)
    expect(byPath('/markets') - throttledAt).toBeLessThan(1_000 - MARGIN_MS)
  })

  it('pauses the family on a 503 with Retry-After too', async () => {
    const { server, client } = await setup(
      failThenOk(1, (_req, res) => sendJson(res, 503, { error: 'maintenance' }, { 'retry-after': '1' })),
    )
    await client.fetchJson('data-api-positions', `${server.url}/positions`)
    const [first, second] = server.arrivals
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1_000 - MARGIN_MS)
    expect(client.limiters.get('data-api-positions').state().decreases).toBe(0)
  })

  it('adapts down on 429 and back up on success', async () => {
    const { server, client } = await setup(
      failThenOk(1, (_req, res) => sendJson(res, 429, { error: 'Too Many Requests' })),
    )
    const limiter = client.limiters.get('gamma-markets')
    const max = limiter.state().maxPerSecond
    await client.fetchJson('gamma-markets', `${server.url}/markets`)
    // Halved by the 429, then one additive step for the success.
    expect(limiter.state()).toMatchObject({ decreases: 1 })
    expect(limiter.state().currentPerSecond).toBeCloseTo(max * 0.52)
    for (let i = 0; i < 30; i++) await client.fetchJson('gamma-markets', `${server.url}/markets`)
    expect(limiter.state().currentPerSecond).toBeCloseTo(max)
  })

  it('treats a Cloudflare 1015 page as a 429', async () => {
    const { server, client } = await setup(
      failThenOk(1, (_req, res) =>
        res
          .writeHead(429, { 'content-type': 'text/html; charset=UTF-8', 'retry-after': '0' })
          .end(
            '<!DOCTYPE html><html><head><title>Access denied | gamma-api.polymarket.com used Cloudflare to restrict access</title></head><body><div id="cf-wrapper"><h1><span class="cf-error-type">Error</span><span class="cf-error-code">1015</span></h1><h2 class="cf-subheadline">You are being rate limited</h2></div></body></html>',
          ),
      ),
    )
    await client.fetchJson('gamma-markets', `${server.url}/markets`)
    expect(client.counters('gamma-markets')).toMatchObject({ rateLimited: 1, retries: 1 })
    expect(client.limiters.get('gamma-markets').state().decreases).toBe(1)
  })
})

describe('snapshot', () => {
  it('joins counters with limiter state per family', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 200, []))
    await client.fetchJson('gamma-events', `${server.url}/events`)
    const events = client.snapshot().find((stats) => stats.family === 'gamma-events')
    expect(events).toMatchObject({
      family: 'gamma-events',
      requests: 1,
      succeeded: 1,
      limit: '1000/s',
      waiting: 0,
      pausedForMs: 0,
    })
    expect(events?.maxPerSecond).toBeCloseTo(980)
    expect(formatFamilyStats(events as FamilyStats)).toMatch(
      /^gamma-events 0\.0 req\/s \(limit 1000\/s\) 1 req, 0 retries, 0 429s, 0 failed, 0\.0 MB$/,
    )
  })
})
