// The simulator's knobs, validated by one zod schema whose messages name the flag and the fix
// (the same messages for `polyhouse simulate` flags and for programmatic options).
import { z } from 'zod'
import { parseOrUsageError } from '../core/config.ts'
import { UsageError } from '../core/errors.ts'
import { type FaultSpec, NO_FAULTS, parseFaultSpec } from './faults.ts'
import { type BucketName, DEFAULT_RATE_RULES, type ProviderName, type RateRule } from './limits.ts'
import type { LatencyModel } from './server/http.ts'

// Scale limits: markets up to 200,000, wallets up to 100,000, fills up to 10,000,000
// (50M accepted for headroom); defaults 2,000 / 1,000 / 50,000.
export const DEFAULTS = {
  seed: 'polyhouse',
  markets: 2_000,
  wallets: 1_000,
  fills: 50_000,
  /** ~24 days of 2 s blocks: enough span that block-range paging matters at every scale. */
  blocks: 1_000_000,
  host: '127.0.0.1',
  port: 0,
  rpcLimits: 'alchemy' as ProviderName,
} as const
const MAX = { markets: 200_000, wallets: 100_000, fills: 50_000_000, blocks: 100_000_000 } as const
/** Each wallet needs a position, and each position a fill, plus a few spare for whole matches. */
export const FILLS_PER_WALLET_MIN_EXTRA = 8

/**
 * One more JSON-RPC endpoint over the same chain (a second provider), with limits and faults of its
 * own: `sim.rpcUrls` lists it after the main one.
 */
export interface RpcEndpointOptions {
  /** Its JSON-RPC rate limit (calls per window; a batch counts each call). None by default. */
  rate?: RateRule
  /** Its eth_getLogs caps and messages (the simulator's `rpcLimits` by default). */
  rpcLimits?: ProviderName
  /** Blocks its head trails the chain's (server/rpc.ts: past its head it answers only what it has). */
  lagBlocks?: number
  /** Its request faults (429, 5xx, hang, truncate, html); the world's own (drift, reorg) are the main options'. */
  faults?: string | Partial<FaultSpec>
  latency?: string | Partial<LatencyModel>
  /** Answers this many requests, then 503 to every one (an outage mid-run). */
  outageAfter?: number
}

export interface ResolvedRpcEndpoint {
  rate: RateRule | undefined
  rpcLimits: ProviderName
  lagBlocks: number
  faults: FaultSpec
  latency: LatencyModel
  outageAfter: number | undefined
}

export interface SimulatorOptions {
  seed?: string | number
  markets?: number
  wallets?: number
  fills?: number
  blocks?: number
  host?: string
  /** First port (Gamma); the Data API and RPC listen on the next two. 0 (default): any free ports. */
  port?: number
  /** A spec string (`429=0.1,5xx=0.05,...`) or fields; all off by default. */
  faults?: string | Partial<FaultSpec>
  /** `100±50` (base ± jitter, ms) or fields; 0 by default. */
  latency?: string | Partial<LatencyModel>
  rpcLimits?: ProviderName
  /** Override documented limits per bucket (null disables one), or false to disable all. */
  rateLimits?: false | Partial<Record<BucketName, RateRule | null>>
  /** Close hung requests after this many ms (0: hold until the client gives up or close()). */
  hangMs?: number
  logEncoder?: 'fast' | 'viem'
  /**
   * A Gamma that ignores `start_date_*`/`end_date_*` on its lists (every filtered list is the whole
   * list): the server a client must detect rather than walk once per date window. Off by default.
   */
  gammaIgnoresDateFilters?: boolean
  /** More JSON-RPC endpoints over the same chain, each with its own limits and faults. */
  rpcEndpoints?: readonly RpcEndpointOptions[]
}

const whole = (flag: string, min: number, max: number) =>
  z.number({ error: `${flag} must be a number` }).refine((n) => Number.isInteger(n) && n >= min && n <= max, {
    error: (issue) =>
      `${flag} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got ${String(issue.input)}`,
  })

const rateRule = z.object({ limit: z.number().int().min(0), windowMs: z.number().positive() })

export const simulatorOptionsSchema = z
  .object({
    seed: z
      .union([z.string().min(1), z.number()], { error: '--seed must be a non-empty string or a number' })
      .default(DEFAULTS.seed),
    markets: whole('--markets', 1, MAX.markets).default(DEFAULTS.markets),
    wallets: whole('--wallets', 1, MAX.wallets).default(DEFAULTS.wallets),
    fills: whole('--fills', 1, MAX.fills).default(DEFAULTS.fills),
    blocks: whole('--blocks', 2, MAX.blocks).default(DEFAULTS.blocks),
    host: z.string().min(1).default(DEFAULTS.host),
    port: whole('--port', 0, 65_533).default(DEFAULTS.port),
    faults: z.custom<FaultSpec>().default(NO_FAULTS),
    latency: z.custom<LatencyModel>().default({ baseMs: 0, jitterMs: 0 }),
    rpcLimits: z
      .enum(['alchemy', 'infura', 'quicknode', 'none'], {
        error: (issue) =>
          `--rpc-limits must be alchemy, infura, quicknode or none, got '${String(issue.input)}'`,
      })
      .default(DEFAULTS.rpcLimits),
    rateLimits: z.union([z.literal(false), z.record(z.string(), rateRule.nullable())]).default({}),
    hangMs: z.number().int().min(0).default(0),
    logEncoder: z.enum(['fast', 'viem']).default('fast'),
    gammaIgnoresDateFilters: z.boolean().default(false),
    rpcEndpoints: z.array(z.custom<ResolvedRpcEndpoint>()).default([]),
  })
  .superRefine((o, ctx) => {
    if (o.fills < o.wallets + FILLS_PER_WALLET_MIN_EXTRA) {
      ctx.addIssue({
        code: 'custom',
        message: `--fills ${o.fills} is too few for --wallets ${o.wallets}: every wallet trades at least once; use --fills ${o.wallets + FILLS_PER_WALLET_MIN_EXTRA} or more`,
      })
    }
  })

export type ResolvedOptions = z.output<typeof simulatorOptionsSchema>

/** `100±50`, `100+-50`, `100:50` or `100` (milliseconds). */
export function parseLatency(text: string, flag = '--latency'): LatencyModel {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:(?:±|\+-|\+\/-|:)\s*(\d+(?:\.\d+)?))?\s*(?:ms)?\s*$/.exec(text)
  if (!match)
    throw new UsageError(`${flag}: cannot read '${text}'`, {
      hint: `give base±jitter in milliseconds, e.g. ${flag} 100±50`,
    })
  const baseMs = Number(match[1])
  const jitterMs = Number(match[2] ?? 0)
  if (jitterMs > baseMs)
    throw new UsageError(`${flag}: jitter ${jitterMs} exceeds base ${baseMs}`, {
      hint: 'keep jitter ≤ base, e.g. 100±50',
    })
  return { baseMs, jitterMs }
}

export function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const faults =
    typeof options.faults === 'string' ? parseFaultSpec(options.faults) : { ...NO_FAULTS, ...options.faults }
  const latency =
    typeof options.latency === 'string'
      ? parseLatency(options.latency)
      : { baseMs: 0, jitterMs: 0, ...options.latency }
  const resolved = parseOrUsageError(simulatorOptionsSchema, {
    ...options,
    faults,
    latency,
    rpcEndpoints: [],
  })
  resolved.rpcEndpoints = (options.rpcEndpoints ?? []).map((endpoint) =>
    resolveRpcEndpoint(endpoint, resolved.rpcLimits),
  )
  return resolved
}

function resolveRpcEndpoint(endpoint: RpcEndpointOptions, rpcLimits: ProviderName): ResolvedRpcEndpoint {
  const faults =
    typeof endpoint.faults === 'string'
      ? parseFaultSpec(endpoint.faults, 'rpc endpoint faults')
      : { ...NO_FAULTS, ...endpoint.faults }
  if (faults.drift || faults.reorg) {
    throw new UsageError('rpc endpoint faults: drift and reorg belong to the world, not to one endpoint', {
      hint: 'give them in the main faults',
    })
  }
  const latency =
    typeof endpoint.latency === 'string'
      ? parseLatency(endpoint.latency)
      : { baseMs: 0, jitterMs: 0, ...endpoint.latency }
  const lagBlocks = endpoint.lagBlocks ?? 0
  if (!Number.isInteger(lagBlocks) || lagBlocks < 0) {
    throw new UsageError(`rpc endpoint lagBlocks must be a whole number ≥ 0, got ${lagBlocks}`)
  }
  return {
    rate: endpoint.rate,
    rpcLimits: endpoint.rpcLimits ?? rpcLimits,
    lagBlocks,
    faults,
    latency,
    outageAfter: endpoint.outageAfter,
  }
}

/** The documented limits with overrides applied, plus the RPC bucket when configured. */
export function rateRules(resolved: ResolvedOptions): Partial<Record<BucketName, RateRule>> {
  if (resolved.rateLimits === false) return {}
  const rules: Partial<Record<BucketName, RateRule>> = { ...DEFAULT_RATE_RULES }
  for (const [name, rule] of Object.entries(resolved.rateLimits)) {
    if (rule === null) delete rules[name as BucketName]
    else rules[name as BucketName] = rule
  }
  return rules
}
