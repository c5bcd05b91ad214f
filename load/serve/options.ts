// The knobs of `polyhouse serve` (and `backfill --serve`), their defaults, and the one check that
// keeps a server off the network without credentials. Flags reach these through the same schema.
import os from 'node:os'
import { z } from 'zod'
import { parseOrUsageError } from '../../core/config.ts'
import { UsageError } from '../../core/errors.ts'
import type { ServeUser } from './auth.ts'
import {
  DEFAULT_MAX_RUNNING_QUERIES,
  DEFAULT_QUEUE_WAIT_S,
  enginePoolSize,
  maxAnalystSlots,
  WRITER_RESERVED_THREADS,
} from './lanes.ts'

export { DEFAULT_MAX_RUNNING_QUERIES, DEFAULT_QUEUE_WAIT_S }

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
 * Requests in hand at once (reading, waiting for an engine slot, running, sending); the next gets
 * 503. Above a crowd of 20 analysts. Each holds at most one body (--max-body-bytes) until it runs.
 */
export const DEFAULT_MAX_CONCURRENT_QUERIES = 32
/**
 * Open client connections (idle keep-alive ones included); past it new ones are closed at once.
 * ClickHouse's own default is 4,096 for a dedicated server; a process whose writer needs its file
 * descriptors and memory takes fewer, still far above the requests it runs at once.
 */
export const DEFAULT_MAX_CONNECTIONS = 256
/**
 * A client gets this long to send its request headers, then is cut off with 408 (a slowloris client
 * would otherwise hold its connection forever). ClickHouse's http_receive_timeout is 30 s as well.
 */
export const DEFAULT_HEADERS_TIMEOUT_MS = 30_000
/** …and this long for the whole request, body included: 16 MiB (--max-body-bytes) at ~140 KB/s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000
/**
 * How long a response may wait for the client to take more bytes before it is cut off: a client that
 * stops reading would otherwise hold its engine slot and its buffered result for ever. ClickHouse's
 * http_send_timeout is 30 s as well.
 */
export const DEFAULT_SEND_STALL_TIMEOUT_MS = 30_000
/**
 * The share of the machine's memory analysts' queries may take together: each analyst query gets
 * max_memory_usage = this share / the analyst queries that may run at once (--max-running-queries).
 * The rest stays with the writer, whose batches and merges are what the process is for.
 */
const READERS_SHARE_OF_MEMORY = 1 / 4
/**
 * Cores kept for the writer. Analysts' queries together get the others (at least one thread): by
 * default no more of them run at once than that (--max-running-queries), and their max_threads share
 * it. The engine's threads are scheduled one for one with the writer's, so four CPU-bound readers on
 * a 2-core box took four fifths of the CPU the writer's inserts and decoding needed; one leaves it a
 * core (bench/serve-under-backfill.ts --readers hostile measures the difference).
 */
const WRITER_RESERVED_CORES = 1

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
  /** Analyst queries in the engine at once; more wait for a slot (lanes.ts). Default depends on the pool. */
  maxRunningQueries?: number
  /** Seconds a query waits for an engine slot before 503. */
  queueWaitS?: number
  /** Bytes of memory one analyst query may use (the engine's max_memory_usage). */
  maxMemoryUsage?: number
  /** Threads one analyst query may use (the engine's max_threads). */
  maxThreads?: number
  maxConnections?: number
  /** Timeouts against clients that trickle or stop (no flags: the defaults are ClickHouse's). */
  headersTimeoutMs?: number
  requestTimeoutMs?: number
  sendStallTimeoutMs?: number
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
  maxRunningQueries: positiveInt('--max-running-queries').optional(),
  queueWaitS: z
    .number({ error: '--queue-wait must be a number' })
    .positive('--queue-wait must be above 0')
    .max(3_600, '--queue-wait must be at most 3600 seconds')
    .default(DEFAULT_QUEUE_WAIT_S),
  maxMemoryUsage: positiveInt('--max-memory-usage').optional(),
  maxThreads: positiveInt('--max-threads').optional(),
  maxConnections: positiveInt('--max-connections').default(DEFAULT_MAX_CONNECTIONS),
  headersTimeoutMs: positiveInt('headersTimeoutMs').default(DEFAULT_HEADERS_TIMEOUT_MS),
  requestTimeoutMs: positiveInt('requestTimeoutMs').default(DEFAULT_REQUEST_TIMEOUT_MS),
  sendStallTimeoutMs: positiveInt('sendStallTimeoutMs').default(DEFAULT_SEND_STALL_TIMEOUT_MS),
})

export type ResolvedServeOptions = Omit<
  z.infer<typeof limitsSchema>,
  'maxRunningQueries' | 'maxMemoryUsage' | 'maxThreads'
> & {
  maxRunningQueries: number
  maxMemoryUsage: number
  maxThreads: number
  /** libuv's pool size, from which the engine slots are made (lanes.ts). */
  poolSize: number
  users: readonly ServeUser[]
  onQuery: ((entry: QueryLogEntry) => void) | undefined
}

export function resolveServeOptions(options: ServeOptions): ResolvedServeOptions {
  const { users = [], onQuery, ...limits } = options
  const parsed = parseOrUsageError(limitsSchema, limits)
  const poolSize = enginePoolSize()
  const analystSlots = maxAnalystSlots(poolSize)
  if (parsed.maxRunningQueries !== undefined && parsed.maxRunningQueries > analystSlots) {
    const needed = parsed.maxRunningQueries + (poolSize - analystSlots)
    throw new UsageError(
      `--max-running-queries ${parsed.maxRunningQueries} needs ${needed} engine threads, and this process has ${poolSize} (UV_THREADPOOL_SIZE), ${WRITER_RESERVED_THREADS} of them kept for the writer`,
      { hint: `ask for at most ${analystSlots}, or start polyhouse with UV_THREADPOOL_SIZE=${needed}` },
    )
  }
  const readerCores = Math.max(1, os.availableParallelism() - WRITER_RESERVED_CORES)
  const maxRunningQueries =
    parsed.maxRunningQueries ??
    Math.max(
      1,
      Math.min(DEFAULT_MAX_RUNNING_QUERIES, analystSlots, Math.floor(readerCores / (parsed.maxThreads ?? 1))),
    )
  const resolved = {
    ...parsed,
    maxRunningQueries,
    maxMemoryUsage:
      parsed.maxMemoryUsage ?? Math.floor((os.totalmem() * READERS_SHARE_OF_MEMORY) / maxRunningQueries),
    maxThreads: parsed.maxThreads ?? Math.max(1, Math.floor(readerCores / maxRunningQueries)),
    poolSize,
    users,
    onQuery,
  }
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
