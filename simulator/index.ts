// startSimulator: a deterministic, seeded stand-in for Gamma, the Data API and Polygon JSON-RPC
// for tests, the bench harness and `polyhouse simulate`.
//
//   const sim = await startSimulator({ seed: 1, markets: 500, faults: '429=0.1' })
//   process.env.GAMMA_URL = sim.gammaUrl   // also sim.dataApiUrl, sim.rpcUrl, or sim.env
//   ... run the pipeline ...
//   sim.truth.summary(); sim.truth.fillTotals(); sim.stats(); await sim.close()
//   sim.closeMarket(id); sim.updateMarket(id, patch); sim.setTip(block)   // change the world after start
//   startSimulator({ rpcEndpoints: [{ lagBlocks: 500 }, { outageAfter: 40 }] })   // sim.rpcUrls: three endpoints
import { RateLimiter } from './limits.ts'
import {
  type ResolvedOptions,
  type ResolvedRpcEndpoint,
  rateRules,
  resolveOptions,
  type SimulatorOptions,
} from './options.ts'
import { CursorSigner } from './server/cursor.ts'
import { routeData } from './server/data-api.ts'
import { routeGamma } from './server/gamma.ts'
import { GammaOverrides } from './server/gamma-overrides.ts'
import { SimulatorHttp } from './server/http.ts'
import { json, type SimRequest, type SimResponse } from './server/route.ts'
import { RpcService } from './server/rpc.ts'
import { Stats, type StatsSnapshot } from './stats.ts'
import { World } from './world/index.ts'
import type { JsonObject } from './world/market-json.ts'
import { Truth } from './world/truth.ts'

export type { RpcEndpointOptions, SimulatorOptions } from './options.ts'
export type { StatsSnapshot } from './stats.ts'
export type { AmmLiquidityTruth, AmmTradeTruth } from './world/amm-truth.ts'
export type { FillTotals, MarketTruth, PositionTruth, TruthSummary } from './world/truth.ts'

export interface Simulator {
  gammaUrl: string
  dataApiUrl: string
  rpcUrl: string
  /** Every JSON-RPC endpoint: `rpcUrl` first, then those of `rpcEndpoints`, in order. */
  rpcUrls: string[]
  /** The extra endpoints' own counters and rate-limit buckets, in the order of `rpcEndpoints`. */
  rpcEndpointStats(): StatsSnapshot[]
  /** GAMMA_URL, DATA_API_URL, POLYGON_RPC_URL: ready to merge into a child process's env. */
  env: { GAMMA_URL: string; DATA_API_URL: string; POLYGON_RPC_URL: string }
  options: ResolvedOptions
  world: World
  truth: Truth
  stats(): StatsSnapshot
  /** Rewrites the last `depth` blocks now (the `reorg=N` fault does this once, after the tip is read). */
  reorg(depth: number): void
  /**
   * Gamma serves market `id` with these fields replaced from now on (e.g. `{ outcomePrices:
   * '["0.7", "0.3"]', volume: '1234.5' }`), in every response that shows it. Gamma only: the chain,
   * the Data API and `truth` keep the world as built.
   */
  updateMarket(id: string | number, patch: JsonObject): void
  /** Resolves market `id` now: `closed: true`, its winner priced 1, the others 0, closedTime now. */
  closeMarket(id: string | number): void
  /** Gamma serves event `id` with these fields replaced (`{ volume: 1e9 }` makes it the hottest). */
  updateEvent(id: string | number, patch: JsonObject): void
  /**
   * The RPC admits blocks up to `block` only (eth_blockNumber, eth_getLogs, eth_getBlockByNumber);
   * `undefined` shows the whole chain again. The Data API still counts every fill in positions.
   */
  setTip(block: number | undefined): void
  close(): Promise<void>
}

/** Builds the world (cheap: memory per market, wallet and position) and starts the three servers. */
export function createSimulatorParts(options: SimulatorOptions = {}) {
  const resolved = resolveOptions(options)
  const world = new World({
    seed: resolved.seed,
    markets: resolved.markets,
    wallets: resolved.wallets,
    fills: resolved.fills,
    blocks: resolved.blocks,
    driftRate: resolved.faults.drift,
  })
  return { resolved, world, truth: new Truth(world) }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const { resolved, world, truth } = createSimulatorParts(options)
  const stats = new Stats()
  const rules = rateRules(resolved)
  const limiter = new RateLimiter(rules)
  const signer = new CursorSigner(world.seed)
  const overrides = new GammaOverrides(world.catalog)
  const reorgState = { triggered: false }
  const rpc = new RpcService(
    world,
    {
      provider: resolved.rpcLimits,
      reorgDepth: resolved.faults.reorg,
      reorgState,
      encoder: resolved.logEncoder,
    },
    (method) => stats.rpcCall(method),
  )
  const snapshot = () => stats.snapshot(limiter.snapshot(), world.chain.forkEpoch)
  const internal = (req: SimRequest): SimResponse | undefined => {
    if (req.path === '/__stats') return json(200, snapshot())
    if (req.path === '/__truth') {
      const withFills = req.query.get('fills') === '1'
      return json(200, { ...truth.summary(), ...(withFills ? { fills: truth.fillTotals() } : {}) })
    }
    if (req.path === '/__truth/wallets') return json(200, truth.wallets())
    if (req.path === '/__truth/positions') return json(200, truth.positions(req.query.get('user') ?? ''))
    return undefined
  }
  const http = new SimulatorHttp(
    world.seed,
    {
      host: resolved.host,
      port: resolved.port,
      faults: resolved.faults,
      latency: resolved.latency,
      hangMs: resolved.hangMs,
    },
    {
      gamma: (req) =>
        routeGamma(world, signer, req, overrides, { ignoreDateFilters: resolved.gammaIgnoresDateFilters }),
      data: (req) => routeData(world, signer, req),
      rpc: (req) => rpc.route(req),
    },
    internal,
    stats,
    limiter,
  )
  const urls = await http.listen()
  const extras: ExtraRpc[] = []
  try {
    for (const endpoint of resolved.rpcEndpoints)
      extras.push(await startExtraRpc(world, resolved, endpoint, reorgState))
  } catch (error) {
    await Promise.all([http.close(), ...extras.map((extra) => extra.http.close())])
    throw error
  }
  return {
    gammaUrl: urls.gamma,
    dataApiUrl: urls.data,
    rpcUrl: urls.rpc,
    rpcUrls: [urls.rpc, ...extras.map((extra) => extra.url)],
    rpcEndpointStats: () => extras.map((extra) => extra.snapshot()),
    env: { GAMMA_URL: urls.gamma, DATA_API_URL: urls.data, POLYGON_RPC_URL: urls.rpc },
    options: resolved,
    world,
    truth,
    stats: snapshot,
    reorg: (depth) => world.chain.reorg(depth),
    updateMarket: (id, patch) => overrides.updateMarket(id, patch),
    closeMarket: (id) => overrides.closeMarket(id),
    updateEvent: (id, patch) => overrides.updateEvent(id, patch),
    setTip: (block) => {
      rpc.visibleTip = block
    },
    close: async () => {
      await Promise.all([http.close(), ...extras.map((extra) => extra.http.close())])
    },
  }
}

interface ExtraRpc {
  url: string
  http: SimulatorHttp
  snapshot(): StatsSnapshot
}

/** One more RPC server over the same world: its own caps, lag, rate limit, faults and counters. */
async function startExtraRpc(
  world: World,
  resolved: ResolvedOptions,
  endpoint: ResolvedRpcEndpoint,
  reorgState: { triggered: boolean },
): Promise<ExtraRpc> {
  const stats = new Stats()
  const limiter = new RateLimiter(endpoint.rate ? { rpc: endpoint.rate } : {})
  const rpc = new RpcService(
    world,
    {
      provider: endpoint.rpcLimits,
      reorgDepth: resolved.faults.reorg,
      reorgState,
      encoder: resolved.logEncoder,
      lagBlocks: endpoint.lagBlocks,
    },
    (method) => stats.rpcCall(method),
  )
  const none = () => undefined
  const http = new SimulatorHttp(
    world.seed,
    {
      host: resolved.host,
      port: 0,
      faults: endpoint.faults,
      latency: endpoint.latency,
      hangMs: resolved.hangMs,
      services: ['rpc'],
      outageAfter: endpoint.outageAfter,
    },
    { gamma: none, data: none, rpc: (req) => rpc.route(req) },
    none,
    stats,
    limiter,
  )
  const urls = await http.listen()
  return { url: urls.rpc, http, snapshot: () => stats.snapshot(limiter.snapshot(), world.chain.forkEpoch) }
}
