// Counters per endpoint (and per JSON-RPC method), exposed at /__stats and by `stats()`: what the
// bench harness divides by the rate limits, and what tests check faults and 429s against.
import type { RequestFault } from './faults.ts'
import type { BucketSnapshot } from './limits.ts'

export interface EndpointStats {
  requests: number
  /** 2xx responses sent whole (a truncated 200 counts as a fault, not ok). */
  ok: number
  /** 4xx other than 429 (bad cursor, offset too large, ...). */
  clientErrors: number
  /** 429s from the rate limit (not injected). */
  rateLimited: number
  /** Faults injected by the fault knobs, by kind. */
  faults: Record<RequestFault, number>
  /** eth_getLogs calls refused by the provider's range or result cap. */
  providerLimitErrors: number
  /** Response body bytes written. */
  bytes: number
}

export interface StatsSnapshot {
  uptimeMs: number
  endpoints: Record<string, EndpointStats>
  rpcCalls: Record<string, number>
  totals: { requests: number; ok: number; rateLimited: number; faults: number; bytes: number }
  buckets: Record<string, BucketSnapshot>
  forkEpoch: number
}

function emptyStats(): EndpointStats {
  return {
    requests: 0,
    ok: 0,
    clientErrors: 0,
    rateLimited: 0,
    faults: { '429': 0, '5xx': 0, hang: 0, truncate: 0, html: 0 },
    providerLimitErrors: 0,
    bytes: 0,
  }
}

export class Stats {
  private readonly endpoints = new Map<string, EndpointStats>()
  private readonly rpcCalls = new Map<string, number>()
  private readonly startedAt = Date.now()

  endpoint(name: string): EndpointStats {
    let stats = this.endpoints.get(name)
    if (!stats) {
      stats = emptyStats()
      this.endpoints.set(name, stats)
    }
    return stats
  }

  rpcCall(method: string): void {
    this.rpcCalls.set(method, (this.rpcCalls.get(method) ?? 0) + 1)
  }

  snapshot(buckets: StatsSnapshot['buckets'], forkEpoch: number): StatsSnapshot {
    const endpoints = Object.fromEntries(
      [...this.endpoints].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, structuredClone(v)]),
    )
    const totals = { requests: 0, ok: 0, rateLimited: 0, faults: 0, bytes: 0 }
    for (const stats of this.endpoints.values()) {
      totals.requests += stats.requests
      totals.ok += stats.ok
      totals.rateLimited += stats.rateLimited
      totals.faults += Object.values(stats.faults).reduce((a, b) => a + b, 0)
      totals.bytes += stats.bytes
    }
    return {
      uptimeMs: Date.now() - this.startedAt,
      endpoints,
      rpcCalls: Object.fromEntries([...this.rpcCalls].sort(([a], [b]) => a.localeCompare(b))),
      totals,
      buckets,
      forkEpoch,
    }
  }
}
