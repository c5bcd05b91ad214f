// Endpoint families and their rate limits: the documented defaults, and the `--rate` spec
// (`data-api=10/s,gamma=300/10s,rpc=25/s`) that overrides them.
import { UsageError } from '../../core/errors.ts'

/** A limit as a service documents it: at most `count` requests in any `windowMs`. */
export interface RateLimit {
  count: number
  windowMs: number
}

// Polymarket's documented limits, per 10 s sliding window, enforced by Cloudflare:
// https://docs.polymarket.com/api-reference/rate-limits (Polymarket's documentation, docs.polymarket.com).
/** Gamma `/markets` (keyset walks and `/markets/{id}`): 300 requests per 10 s. */
export const GAMMA_MARKETS_LIMIT: RateLimit = { count: 300, windowMs: 10_000 }
/** Gamma `/events` (keyset walks and `/events/{id}`): 500 requests per 10 s. */
export const GAMMA_EVENTS_LIMIT: RateLimit = { count: 500, windowMs: 10_000 }
/** Gamma `/tags`: 200 requests per 10 s. */
export const GAMMA_TAGS_LIMIT: RateLimit = { count: 200, windowMs: 10_000 }
/** Data API `/positions` (v1 and v2): 150 requests per 10 s. */
export const DATA_API_POSITIONS_LIMIT: RateLimit = { count: 150, windowMs: 10_000 }
/**
 * Polygon JSON-RPC (`POLYGON_RPC_URL`): no documented number, providers differ (free tiers allow
 * roughly 5–25 requests/s). A cautious default; raise it for your provider with `--rate rpc=25/s`.
 */
export const RPC_LIMIT: RateLimit = { count: 10, windowMs: 1_000 }

/**
 * Every endpoint family the HTTP client knows, with its default limit. Each family has its own
 * token bucket; a request names its family (`fetchJson('gamma-markets', url)`).
 */
export const DEFAULT_RATE_LIMITS = {
  'gamma-markets': GAMMA_MARKETS_LIMIT,
  'gamma-events': GAMMA_EVENTS_LIMIT,
  'gamma-tags': GAMMA_TAGS_LIMIT,
  'data-api-positions': DATA_API_POSITIONS_LIMIT,
  rpc: RPC_LIMIT,
} as const satisfies Record<string, RateLimit>

export type EndpointFamily = keyof typeof DEFAULT_RATE_LIMITS

export const ENDPOINT_FAMILIES = Object.keys(DEFAULT_RATE_LIMITS) as EndpointFamily[]

/** Keys of a `--rate` spec (`gamma`, `data-api-positions`) and the limit each one sets. */
export type RateOverrides = ReadonlyMap<string, RateLimit>

const WINDOW_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  sec: 1_000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
}
const EXAMPLE = 'e.g. --rate data-api=10/s,gamma=300/10s,rpc=25/s'

/**
 * A spec key covers a family when it is the family's name or a dash-separated prefix of it:
 * `data-api` covers `data-api-positions`, `gamma` covers `gamma-markets` and `gamma-events`.
 * Each covered family keeps its own bucket at that limit (the buckets are not merged).
 */
export function keyCoversFamily(key: string, family: string): boolean {
  return family === key || family.startsWith(`${key}-`)
}

/**
 * Parses `family=COUNT/WINDOW[,family=COUNT/WINDOW…]`. WINDOW is a unit (`s`, `m`, `ms`, `h`)
 * optionally preceded by a number: `10/s`, `300/10s`, `900/1m`. Every key must cover at least
 * one known family. Throws UsageError naming the bad entry and showing the expected form.
 */
export function parseRateSpec(spec: string, families: readonly string[] = ENDPOINT_FAMILIES): RateOverrides {
  const overrides = new Map<string, RateLimit>()
  for (const rawEntry of spec.split(',')) {
    const entry = rawEntry.trim()
    if (entry === '') continue
    const fail = (problem: string) =>
      new UsageError(`--rate ${entry}: ${problem}`, { hint: `write FAMILY=COUNT/WINDOW, ${EXAMPLE}` })
    const equals = entry.indexOf('=')
    if (equals < 0) throw fail(`missing '=' between the endpoint family and its rate`)
    const key = entry.slice(0, equals).trim().toLowerCase()
    const rate = entry
      .slice(equals + 1)
      .trim()
      .toLowerCase()
    if (!/^[a-z][a-z0-9-]*$/.test(key)) throw fail(`'${key}' is not an endpoint family name`)
    if (!families.some((family) => keyCoversFamily(key, family))) {
      throw fail(`no endpoint family matches '${key}'; known families: ${families.join(', ')}`)
    }
    if (overrides.has(key)) throw fail(`'${key}' is given twice`)
    overrides.set(key, parseRate(rate, fail))
  }
  return overrides
}

function parseRate(rate: string, fail: (problem: string) => UsageError): RateLimit {
  const match = /^([^/]*)\/(\d+(?:\.\d+)?)?\s*([a-z]+)$/.exec(rate)
  if (!match) throw fail(`'${rate}' is not a rate; write COUNT/WINDOW such as 10/s or 300/10s`)
  const [, countText = '', multiplierText, unit = ''] = match
  if (!/^\d+(\.\d+)?$/.test(countText.trim())) {
    throw fail(`the request count '${countText}' is not a number`)
  }
  const count = Number(countText)
  if (!(count > 0)) throw fail('the request count must be greater than zero')
  const unitMs = WINDOW_UNITS_MS[unit]
  if (unitMs === undefined) {
    throw fail(`unknown time unit '${unit}'; use ${Object.keys(WINDOW_UNITS_MS).join(', ')}`)
  }
  const windowMs = (multiplierText === undefined ? 1 : Number(multiplierText)) * unitMs
  if (!(windowMs > 0)) throw fail('the window must be longer than zero')
  return { count, windowMs }
}

/**
 * The limit of every family: the most specific spec key that covers it (`gamma-markets` beats
 * `gamma`), else its default.
 */
export function resolveRateLimits(
  overrides: RateOverrides = new Map(),
  defaults: Readonly<Record<string, RateLimit>> = DEFAULT_RATE_LIMITS,
): Record<string, RateLimit> {
  const limits: Record<string, RateLimit> = {}
  for (const [family, fallback] of Object.entries(defaults)) {
    let best: { key: string; limit: RateLimit } | undefined
    for (const [key, limit] of overrides) {
      if (keyCoversFamily(key, family) && (!best || key.length > best.key.length)) best = { key, limit }
    }
    limits[family] = best?.limit ?? fallback
  }
  return limits
}

export function perSecond(limit: RateLimit): number {
  return (limit.count * 1_000) / limit.windowMs
}

/** `300/10s`, `10/s`, `1/500ms`: the spec form, for progress lines and messages. */
export function formatRate(limit: RateLimit): string {
  const window =
    limit.windowMs % 1_000 === 0
      ? limit.windowMs === 1_000
        ? 's'
        : `${limit.windowMs / 1_000}s`
      : `${limit.windowMs}ms`
  return `${limit.count}/${window}`
}
