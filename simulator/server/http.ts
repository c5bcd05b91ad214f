// The HTTP side: one node:http server per service (each at the root path, like the real hosts),
// wrapping every routed request in counting, rate limits, faults and latency. `/__stats` and
// `/__truth` answer on every port and are never limited, faulted or delayed.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { cloudflareErrorPage, type FaultSpec, pickFault } from '../faults.ts'
import type { RateLimiter } from '../limits.ts'
import { hash, hexWords, unit } from '../random.ts'
import type { Stats } from '../stats.ts'
import type { Routed, Service, SimRequest, SimResponse } from './route.ts'

export interface LatencyModel {
  baseMs: number
  jitterMs: number
}

export interface HttpOptions {
  host: string
  /** First port (gamma); data API and RPC take the next two. 0: any free ports. */
  port: number
  faults: FaultSpec
  latency: LatencyModel
  /** Close a hung request after this long (0: hold it until the client gives up or close()). */
  hangMs: number
  /** The services to listen for (all three by default; an extra RPC endpoint listens for 'rpc' only). */
  services?: readonly Service[]
  /**
   * Answer this many routed requests, then 503 to every one after (a provider's outage mid-run).
   * Undefined: never.
   */
  outageAfter?: number | undefined
}

export type Router = (req: SimRequest) => Routed | undefined
export type InternalRouter = (req: SimRequest) => SimResponse | undefined

/** Body size cap for JSON-RPC posts (a batch of 1,000 eth_getLogs is well under it). */
const MAX_BODY_BYTES = 10 * 1024 * 1024
/** Every third rate-limit 429 gives Retry-After as an HTTP date instead of seconds (Polymarket's documentation, docs.polymarket.com). */
const HTTP_DATE_EVERY = 3
const SERVICES: readonly Service[] = ['gamma', 'data', 'rpc']
const D = { fault: 0xfa17, latency: 0x1a7e, detail: 0xde7a } as const
/** Alchemy's throughput 429 text (docs.alchemy.com/reference/throughput). */
const RPC_THROTTLED =
  'Your app has exceeded its compute units per second capacity. If you have retries enabled, you can safely ignore this message. If not, check out https://docs.alchemy.com/reference/throughput'

export class SimulatorHttp {
  private readonly servers = new Map<Service, Server>()
  private readonly pending = new Set<NodeJS.Timeout>()
  private readonly hung = new Set<ServerResponse>()
  private readonly counters: Record<Service, number> = { gamma: 0, data: 0, rpc: 0 }
  private throttled = 0
  private closed = false

  constructor(
    private readonly seed: number,
    private readonly options: HttpOptions,
    private readonly routers: Record<Service, Router>,
    private readonly internal: InternalRouter,
    private readonly stats: Stats,
    private readonly limiter: RateLimiter,
  ) {}

  async listen(): Promise<Record<Service, string>> {
    const urls = {} as Record<Service, string>
    for (const [offset, service] of SERVICES.entries()) {
      if (this.options.services && !this.options.services.includes(service)) continue
      const server = createServer((req, res) => void this.serve(service, req, res))
      server.keepAliveTimeout = 30_000
      this.servers.set(service, server)
      const port = this.options.port === 0 ? 0 : this.options.port + offset
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, this.options.host, () => resolve())
      })
      const address = server.address() as AddressInfo
      urls[service] = `http://${this.options.host}:${address.port}`
    }
    return urls
  }

  async close(): Promise<void> {
    this.closed = true
    for (const timer of this.pending) clearTimeout(timer)
    this.pending.clear()
    for (const res of this.hung) res.destroy()
    this.hung.clear()
    await Promise.all(
      [...this.servers.values()].map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve())
            server.closeAllConnections()
          }),
      ),
    )
  }

  private async serve(service: Service, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = ''
    if (req.method === 'POST') {
      const chunks: Buffer[] = []
      let size = 0
      for await (const chunk of req) {
        size += (chunk as Buffer).length
        if (size > MAX_BODY_BYTES)
          return this.write(res, { status: 413, body: '{"error":"request body too large"}' }, 0)
        chunks.push(chunk as Buffer)
      }
      body = Buffer.concat(chunks).toString()
    }
    const url = new URL(req.url ?? '/', 'http://simulator')
    const request: SimRequest = {
      service,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body,
    }
    if (url.pathname.startsWith('/__')) {
      return this.write(
        res,
        this.internal(request) ?? { status: 404, body: '{"error":"unknown internal path"}' },
        0,
      )
    }
    const routed = this.routers[service](request)
    if (!routed) {
      const stats = this.stats.endpoint(`${service} (unrouted)`)
      stats.requests++
      stats.clientErrors++
      return this.write(
        res,
        { status: 404, body: JSON.stringify({ error: `no route for ${request.method} ${url.pathname}` }) },
        this.delay(service),
      )
    }
    const stats = this.stats.endpoint(routed.endpoint)
    stats.requests++
    const counter = this.counters[service]++
    const { outageAfter } = this.options
    if (outageAfter !== undefined && counter >= outageAfter) {
      stats.faults['5xx']++
      return this.write(
        res,
        { status: 503, body: '{"error":"Service Unavailable"}' },
        this.delay(service),
        stats,
      )
    }
    const serviceIndex = SERVICES.indexOf(service)
    const admission = this.limiter.tryAdmit(routed.buckets, performance.now(), routed.cost)
    if (!admission.admitted) {
      stats.rateLimited++
      return this.write(res, this.tooManyRequests(service, admission.waitMs), this.delay(service), stats)
    }
    const fault = pickFault(this.options.faults, unit(this.seed, D.fault, serviceIndex, counter))
    const detail = hash(this.seed, D.detail, serviceIndex, counter)
    if (fault) stats.faults[fault]++
    if (fault === '429')
      return this.write(
        res,
        this.tooManyRequests(service, 1_000 + (detail % 2_000), false),
        this.delay(service),
        stats,
      )
    if (fault === '5xx') return this.write(res, serverError(detail), this.delay(service), stats)
    if (fault === 'html')
      return this.write(res, htmlPage(service, detail, this.seed, counter), this.delay(service), stats)
    if (fault === 'hang') return this.hang(res)
    let response: SimResponse
    try {
      response = routed.handle()
    } catch (error) {
      response = {
        status: 500,
        body: JSON.stringify({ error: `simulator bug: ${(error as Error).message}` }),
      }
    }
    stats.providerLimitErrors += response.providerLimitErrors ?? 0
    if (fault === 'truncate') return this.truncate(res, response, detail, this.delay(service), stats)
    if (response.status >= 200 && response.status < 300) stats.ok++
    else if (response.status >= 400 && response.status < 500) stats.clientErrors++
    return this.write(res, response, this.delay(service), stats)
  }

  private delay(service: Service): number {
    const { baseMs, jitterMs } = this.options.latency
    if (baseMs <= 0 && jitterMs <= 0) return 0
    const u = unit(this.seed, D.latency, SERVICES.indexOf(service), this.counters[service])
    return Math.max(0, baseMs + jitterMs * (2 * u - 1))
  }

  private later(delayMs: number, action: () => void): void {
    if (this.closed) return
    if (delayMs <= 0) {
      action()
      return
    }
    const timer = setTimeout(() => {
      this.pending.delete(timer)
      action()
    }, delayMs)
    this.pending.add(timer)
  }

  private write(
    res: ServerResponse,
    response: SimResponse,
    delayMs: number,
    stats?: { bytes: number },
  ): void {
    this.later(delayMs, () => {
      if (res.destroyed) return
      const headers = { 'content-type': 'application/json; charset=utf-8', ...response.headers }
      res.writeHead(response.status, { ...headers, 'content-length': Buffer.byteLength(response.body) })
      res.end(response.body)
      if (stats) stats.bytes += Buffer.byteLength(response.body)
    })
  }

  /** Either the connection drops mid-body (Content-Length promised more), or a short JSON body ends cleanly. */
  private truncate(
    res: ServerResponse,
    response: SimResponse,
    detail: number,
    delayMs: number,
    stats: { bytes: number },
  ): void {
    const full = Buffer.from(response.body)
    const cut = full.subarray(0, Math.floor(full.length / 2))
    this.later(delayMs, () => {
      if (res.destroyed) return
      const dropConnection = detail % 2 === 0
      res.writeHead(response.status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': dropConnection ? full.length : cut.length,
      })
      stats.bytes += cut.length
      if (dropConnection) res.write(cut, () => res.destroy())
      else res.end(cut)
    })
  }

  private hang(res: ServerResponse): void {
    this.hung.add(res)
    res.on('close', () => this.hung.delete(res))
    if (this.options.hangMs > 0) this.later(this.options.hangMs, () => res.destroy())
  }

  private tooManyRequests(service: Service, waitMs: number, fromLimiter = true): SimResponse {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000))
    // Some 429s say when as an HTTP date (rounded up a second, since the date has whole seconds).
    const asDate = fromLimiter && ++this.throttled % HTTP_DATE_EVERY === 0
    const retryAfter = asDate ? new Date(Date.now() + (seconds + 1) * 1000).toUTCString() : String(seconds)
    const body =
      service === 'rpc'
        ? JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: 429, message: RPC_THROTTLED } })
        : JSON.stringify({
            error: 'Too Many Requests',
            message: `rate limit exceeded; retry after ${seconds}s`,
          })
    return { status: 429, body, headers: { 'retry-after': retryAfter } }
  }
}

function serverError(detail: number): SimResponse {
  const status = [500, 502, 503, 504][detail % 4] as number
  const response: SimResponse = {
    status,
    body: JSON.stringify({ error: status === 503 ? 'Service Unavailable' : 'Internal Server Error' }),
  }
  if (status === 503) response.headers = { 'retry-after': String(1 + (detail % 5)) }
  return response
}

function htmlPage(service: Service, detail: number, seed: number, counter: number): SimResponse {
  const status = [502, 520, 522, 524][detail % 4] as number
  const host =
    service === 'gamma'
      ? 'gamma-api.polymarket.com'
      : service === 'data'
        ? 'data-api.polymarket.com'
        : 'polygon-rpc'
  const rayId = `${hexWords(2, seed, D.detail, counter)}-AMS`
  return {
    status,
    body: cloudflareErrorPage(status, host, rayId),
    headers: { 'content-type': 'text/html; charset=UTF-8', server: 'cloudflare', 'cf-ray': rayId },
  }
}
