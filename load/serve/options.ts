// The knobs of `polyhouse serve` (and `backfill --serve`), their defaults, and the one check that
// keeps a server off the network without credentials. Flags reach these through the same schema.
import { z } from 'zod'
import { parseOrUsageError } from '../../core/config.ts'
import { UsageError } from '../../core/errors.ts'
import type { ServeUser } from './auth.ts'

/** ClickHouse's HTTP port, so clients' defaults work unchanged. */
export const DEFAULT_PORT = 8123
export const DEFAULT_HOST = '127.0.0.1'
/**
 * Seconds an analyst's query may run (the engine's max_execution_time). Two minutes is far beyond a
 * wallet lookup on vw_trades_unified, and well inside the 300 s request timeout of polyhouse's own
 * server client, so a runaway scan ends as a clean TIMEOUT_EXCEEDED rather than a dropped socket.
 */
export const DEFAULT_MAX_EXECUTION_TIME_S = 120
/**
 * Rows one result may hold (max_result_rows). Ten million is every trade of the busiest wallets with
 * room to spare, and stops `SELECT * FROM vw_trades_unified` from shipping the whole warehouse.
 */
export const DEFAULT_MAX_RESULT_ROWS = 10_000_000
/**
 * Result bytes of a format that has to be produced whole (JSON, Parquet, …: see formats.ts), since
 * those results are held in memory before they are sent. Row formats stream and are not bound by it.
 */
export const DEFAULT_MAX_BUFFERED_RESULT_BYTES = 1024 ** 3
/**
 * Request body bytes, after decompression. ClickHouse parses at most 256 KiB of query text
 * (max_query_size); the rest of this leaves room for INSERT data with --allow-writes.
 */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 ** 2
/**
 * Queries running at once; the next gets 503. Above the 20 analysts of the scenario. Each
 * holds one engine session and at most one result chunk (about 1 MB) in memory.
 */
export const DEFAULT_MAX_CONCURRENT_QUERIES = 32

export interface ServeOptions {
  host?: string
  /** 0 picks a free port; the chosen one is in the returned url. */
  port?: number
  /** Run callers' queries without readonly (INSERT, DDL): for trusted writers only. */
  allowWrites?: boolean
  users?: readonly ServeUser[]
  maxExecutionTimeS?: number
  maxResultRows?: number
  maxBufferedResultBytes?: number
  maxBodyBytes?: number
  maxConcurrentQueries?: number
  /** Called once per query after its response ends; carries no SQL, parameters or passwords. */
  onQuery?: (entry: QueryLogEntry) => void
}

export interface QueryLogEntry {
  queryId: string
  user: string
  kind: string
  status: number
  errorCode?: number
  resultRows: number
  resultBytes: number
  elapsedMs: number
}

const positiveInt = (name: string) =>
  z
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .positive(`${name} must be above 0`)

const limitsSchema = z.object({
  host: z.string().min(1, '--host must not be empty').default(DEFAULT_HOST),
  port: z
    .number({ error: '--port must be a number' })
    .int('--port must be a whole number')
    .min(0, '--port must be 0 to 65535')
    .max(65_535, '--port must be 0 to 65535')
    .default(DEFAULT_PORT),
  allowWrites: z.boolean().default(false),
  maxExecutionTimeS: positiveInt('--max-execution-time').default(DEFAULT_MAX_EXECUTION_TIME_S),
  maxResultRows: positiveInt('--max-result-rows').default(DEFAULT_MAX_RESULT_ROWS),
  maxBufferedResultBytes: positiveInt('--max-buffered-result-bytes').default(
    DEFAULT_MAX_BUFFERED_RESULT_BYTES,
  ),
  maxBodyBytes: positiveInt('--max-body-bytes').default(DEFAULT_MAX_BODY_BYTES),
  maxConcurrentQueries: positiveInt('--max-concurrent-queries').default(DEFAULT_MAX_CONCURRENT_QUERIES),
})

export type ResolvedServeOptions = z.infer<typeof limitsSchema> & {
  users: readonly ServeUser[]
  onQuery: ((entry: QueryLogEntry) => void) | undefined
}

export function resolveServeOptions(options: ServeOptions): ResolvedServeOptions {
  const { users = [], onQuery, ...limits } = options
  const resolved = { ...parseOrUsageError(limitsSchema, limits), users, onQuery }
  if (!isLoopback(resolved.host) && users.length === 0) {
    throw new UsageError(`refusing to serve on ${resolved.host} without credentials`, {
      hint: 'give --user and --password (or --users-file), or listen on 127.0.0.1',
    })
  }
  return resolved
}

/** 127.0.0.0/8, ::1 and localhost reach only this machine; anything else (0.0.0.0 included) does not. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '')
  return (
    bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare) || bare === '::ffff:127.0.0.1'
  )
}
