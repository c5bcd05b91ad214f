// What a service handler receives and returns; the HTTP layer (http.ts) adds rate limits,
// faults, latency and counting around it.

export type Service = 'gamma' | 'data' | 'rpc'

export interface SimRequest {
  service: Service
  method: string
  path: string
  query: URLSearchParams
  body: string
}

export interface SimResponse {
  status: number
  /** JSON text, or bytes already encoded (eth_getLogs replies are written straight into a Buffer). */
  body: string | Buffer
  headers?: Record<string, string>
  /** eth_getLogs calls in this response refused by the provider's caps. */
  providerLimitErrors?: number
}

/** A request matched to an endpoint: its stats name, its rate-limit buckets, and its handler. */
export interface Routed {
  endpoint: string
  buckets: readonly string[]
  /** Calls this request counts for against its buckets (a JSON-RPC batch counts each call). */
  cost: number
  handle: () => SimResponse
}

export function json(status: number, value: unknown): SimResponse {
  return { status, body: JSON.stringify(value) }
}

/** Gamma-style error bodies. */
export function gammaError(status: number, message: string): SimResponse {
  return json(status, { type: status === 404 ? 'not found error' : 'validation error', error: message })
}

/** Data API error bodies. */
export function dataError(status: number, message: string): SimResponse {
  return json(status, { error: message })
}

/** Every value of a repeatable parameter, also split on commas (`id=1&id=2`, `id=1,2`). */
export function listParam(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '')
}

/** A boolean parameter: undefined when absent, an error message when not true/false. */
export function boolParam(query: URLSearchParams, name: string): boolean | undefined | { error: string } {
  const value = query.get(name)
  if (value === null || value === '') return undefined
  if (value === 'true') return true
  if (value === 'false') return false
  return { error: `${name} must be true or false, got '${value}'` }
}

/** An integer parameter within [min, max]; `fallback` when absent. */
export function intParam(
  query: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number | { error: string } {
  const raw = query.get(name)
  if (raw === null || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value)) return { error: `${name} must be an integer, got '${raw}'` }
  if (value < min || value > max) return { error: `${name} must be between ${min} and ${max}, got ${value}` }
  return value
}

export function isError(value: unknown): value is { error: string } {
  return typeof value === 'object' && value !== null && 'error' in value
}
