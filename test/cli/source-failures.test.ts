// A Gamma that never works, as an operator meets it: unreachable, answering an HTML page with 200,
// or asking every request to come back in 28 hours. The markets step stops within seconds with one
// line naming the host and what it answered (it used to take ~6 minutes, every unit failing after
// its full retries), and a long pause is announced with when it ends.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/warehouse.ts'

/** Generous: a bound that says "seconds, not minutes", not a benchmark. */
const FAIL_WITHIN_MS = 60_000

let server: http.Server | undefined
afterEach(async () => {
  server?.closeAllConnections()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

async function serve(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler)
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<string> {
  const url = await serve(() => {})
  await new Promise<void>((resolve) => server?.close(() => resolve()))
  server = undefined
  return url
}

async function backfillMarkets(gammaUrl: string, env: NodeJS.ProcessEnv = {}) {
  const started = performance.now()
  const result = await runCli(
    [
      '--data-dir',
      path.join(tempDir(), 'warehouse'),
      'backfill',
      '--steps',
      'markets',
      '--gamma-url',
      gammaUrl,
    ],
    env,
  )
  return { ...result, ms: performance.now() - started }
}

describe('a Gamma that never works', () => {
  it('unreachable: the step stops early with one line naming the host', { timeout: 120_000 }, async () => {
    const gamma = await closedPort()
    const host = new URL(gamma).host
    const run = await backfillMarkets(gamma)
    expect(run.code).toBe(1)
    expect(run.ms).toBeLessThan(FAIL_WITHIN_MS)
    expect(run.stdout).toContain(
      `failed: markets: ${host} answered every request the same way since the start: connection refused (ECONNREFUSED)`,
    )
    expect(run.stdout).toMatch(/stopped — check --gamma-url or GAMMA_URL, and that the service is up/)
  })

  it('a 200 with an HTML page: the step stops early saying what it answered', {
    timeout: 120_000,
  }, async () => {
    const gamma = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end(
        '<!DOCTYPE html><html><head><title>Down for maintenance</title></head><body>Back soon</body></html>',
      )
    })
    const run = await backfillMarkets(gamma)
    expect(run.code).toBe(1)
    expect(run.ms).toBeLessThan(FAIL_WITHIN_MS)
    expect(run.stdout).toContain(
      `${new URL(gamma).host} answered every request the same way since the start: HTTP 200 HTML page instead of JSON ("Down for maintenance")`,
    )
  })

  it('Retry-After: 99999 on every answer: says the family is paused and until when, then stops', {
    timeout: 120_000,
  }, async () => {
    const gamma = await serve((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '99999' })
      res.end('{"error":"Too Many Requests"}')
    })
    const run = await backfillMarkets(gamma, { POLYHOUSE_MAX_PAUSE: '2s' })
    expect(run.code).toBe(1)
    expect(run.ms).toBeLessThan(FAIL_WITHIN_MS)
    expect(run.stdout).toMatch(
      /markets: gamma-(markets|events) paused until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(2s\) after HTTP 429 rate limited; the server asked for 1d 3h, --max-pause allows 2s/,
    )
    expect(run.stdout).toContain('answered every request the same way since the start: HTTP 429 rate limited')
  })
})
