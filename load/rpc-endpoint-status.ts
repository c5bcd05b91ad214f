// How each JSON-RPC endpoint fared in the latest run that read the chain (etl_rpc_endpoints, written
// by the chain streams as they run): its throughput, its share of the logs, its errors, the range
// size it learned. Read-only, for `status`.
import type { Warehouse } from './warehouse.ts'

export interface RpcEndpointStatus {
  stream: string
  /** Scheme and host only. */
  endpoint: string
  state: string
  head: number
  ranges: number
  blocks: number
  logs: number
  /** Logs fetched from this endpoint per second of the stream's run. */
  logsPerSecond: number
  /** Of the logs the stream fetched in that run, the fraction this endpoint fetched (0 when none). */
  share: number
  requests: number
  failedRequests: number
  rateLimited: number
  failedRanges: number
  handedOff: number
  tooLarge: number
  rangeBlocks: number
  rangeCap: number
  lastError: string
  updatedAt: string
}

export interface RpcEndpointsReport {
  /** The run the figures are of; null before any run read the chain. */
  runId: string | null
  endpoints: RpcEndpointStatus[]
}

const COUNTS = [
  'head',
  'ranges',
  'blocks',
  'logs',
  'requests',
  'failed_requests',
  'rate_limited',
  'failed_ranges',
  'handed_off',
  'too_large',
  'range_blocks',
  'range_cap',
  'elapsed_ms',
] as const

type Row = Record<(typeof COUNTS)[number], string> & {
  run_id: string
  stream: string
  endpoint: string
  state: string
  last_error: string
  updated_at: string
}

/** The endpoints of the latest run that recorded any, by stream and endpoint. */
export async function rpcEndpointsReport(warehouse: Warehouse): Promise<RpcEndpointsReport> {
  const rows = await warehouse.query<Row>(
    `SELECT run_id, stream, endpoint, state, last_error, toString(updated_at) AS updated_at,
            ${COUNTS.map((name) => `toString(${name}) AS ${name}`).join(', ')}
     FROM etl_rpc_endpoints FINAL
     WHERE run_id = (SELECT argMax(run_id, updated_at) FROM etl_rpc_endpoints)
     ORDER BY stream, endpoint`,
  )
  const logsOf = new Map<string, number>()
  for (const row of rows) logsOf.set(row.stream, (logsOf.get(row.stream) ?? 0) + Number(row.logs))
  return {
    runId: rows[0]?.run_id ?? null,
    endpoints: rows.map((row) => {
      const logs = Number(row.logs)
      const seconds = Number(row.elapsed_ms) / 1000
      const streamLogs = logsOf.get(row.stream) ?? 0
      return {
        stream: row.stream,
        endpoint: row.endpoint,
        state: row.state,
        head: Number(row.head),
        ranges: Number(row.ranges),
        blocks: Number(row.blocks),
        logs,
        logsPerSecond: seconds > 0 ? logs / seconds : 0,
        share: streamLogs > 0 ? logs / streamLogs : 0,
        requests: Number(row.requests),
        failedRequests: Number(row.failed_requests),
        rateLimited: Number(row.rate_limited),
        failedRanges: Number(row.failed_ranges),
        handedOff: Number(row.handed_off),
        tooLarge: Number(row.too_large),
        rangeBlocks: Number(row.range_blocks),
        rangeCap: Number(row.range_cap),
        lastError: row.last_error,
        updatedAt: row.updated_at,
      }
    }),
  }
}
