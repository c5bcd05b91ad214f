// Pauses a server asks for: honoured up to --max-pause, said in a note when long, and a request the
// server keeps refusing fails after its attempts instead of waiting for as long as it asks.
import { afterEach, describe, expect, it } from 'vitest'
import { AttemptsExhaustedError, RateLimitedError, RetryableError } from '../../../core/errors.ts'
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../../../extract/http/client.ts'
import { describePause, type PauseEvent } from '../../../extract/http/endpoint.ts'
import { type FakeServer, type Handler, sendJson, startServer } from './fake-server.ts'

const FAST: HttpClientOptions = {
  backoffBaseMs: 5,
  backoffMaxMs: 20,
  rateLimits: {
    'gamma-markets': { count: 1_000, windowMs: 1_000 },
    'data-api-positions': { count: 1_000, windowMs: 1_000 },
  },
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
  const pauses: PauseEvent[] = []
  client.onPause((pause) => pauses.push(pause))
  return { server, client, pauses }
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

describe('a Retry-After longer than --max-pause', () => {
  it.each([
    [429, RateLimitedError],
    [503, RetryableError],
  ])('%i: waits --max-pause, says so, and fails the request after its attempts', async (status, kind) => {
    const { server, client, pauses } = await setup(
      (_req, res) => sendJson(res, status, { error: 'come back tomorrow' }, { 'retry-after': '99999' }),
      { maxPauseMs: 1_000, maxAttempts: 3 },
    )
    const started = performance.now()
    const error = await caught(client.fetchJson('data-api-positions', `${server.url}/positions?user=0xabc`))
    const elapsed = performance.now() - started

    expect(error).toBeInstanceOf(AttemptsExhaustedError)
    expect((error as Error).cause).toBeInstanceOf(kind)
    expect((error as Error).message).toContain(
      'the server asked to wait 1d 3h, more than --max-pause 1s allows',
    )
    expect(client.counters('data-api-positions')).toMatchObject({ requests: 3, failed: 1 })
    // Three attempts, two pauses of a second each: not the 28 hours asked for.
    const starts = server.arrivals.map((arrival) => arrival.at)
    expect((starts[1] ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(1_000 - 30)
    expect(elapsed).toBeLessThan(10_000)

    // Each pause that moved the family's resume time later is a note.
    expect(pauses.length).toBeGreaterThanOrEqual(2)
    const [first] = pauses
    expect(first).toMatchObject({ family: 'data-api-positions', pauseMs: 1_000, askedMs: 99_999_000 })
    expect(first?.until).toBeGreaterThan(Date.now() - elapsed)
    const note = describePause(first as PauseEvent)
    expect(note).toMatch(
      new RegExp(
        `^data-api-positions paused until \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\(1s\\) after HTTP ${status}.*` +
          'the server asked for 1d 3h, --max-pause allows 1s, and a request refused like this 6 times is recorded as failed$',
      ),
    )
  })

  it('passes a short pause without a note', async () => {
    const { server, client, pauses } = await setup((_req, res, { index }) =>
      index === 0
        ? sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '1' })
        : sendJson(res, 200, []),
    )
    await client.fetchJson('data-api-positions', `${server.url}/positions`)
    expect(client.counters('data-api-positions').rateLimited).toBe(1)
    expect(pauses).toEqual([])
  })
})
