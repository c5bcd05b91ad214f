// A local node:http server standing in for Gamma / the Data API: it records when each request
// arrived and lets a test script every answer (faults included).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Arrival {
  method: string
  path: string
  /** performance.now() when the handler ran. */
  at: number
  /** Date.now() when the handler ran (for Retry-After HTTP-dates). */
  wallAt: number
  body: string
}

export interface FakeServer {
  url: string
  arrivals: Arrival[]
  /** Requests being answered right now, and the most there ever were at once. */
  inFlight: number
  maxInFlight: number
  close(): Promise<void>
}

export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  context: { arrival: Arrival; index: number; server: FakeServer },
) => unknown

export async function startServer(handler: Handler): Promise<FakeServer> {
  const state: FakeServer = {
    url: '',
    arrivals: [],
    inFlight: 0,
    maxInFlight: 0,
    close: async () => {},
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const arrival: Arrival = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        at: performance.now(),
        wallAt: Date.now(),
        body: Buffer.concat(chunks).toString('utf8'),
      }
      const index = state.arrivals.push(arrival) - 1
      state.inFlight++
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight)
      const done = () => {
        state.inFlight--
      }
      res.once('close', done)
      Promise.resolve(handler(req, res, { arrival, index, server: state })).catch((error: unknown) => {
        res.destroy(error as Error)
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  state.url = `http://127.0.0.1:${port}`
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return state
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
) {
  const body = JSON.stringify(value)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  })
  res.end(body)
}

/** The largest number of arrivals inside any window [t, t + windowMs). */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let best = 0
  let start = 0
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++
    best = Math.max(best, end - start + 1)
  }
  return best
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Polls until `condition` holds (no timing assertion: the test's own timeout is the bound). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await delay(5)
}
