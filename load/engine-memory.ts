// How much memory the embedded engine may hold, given to it when the session opens: the engine's
// caches are sized for a pipeline job rather than for a server, and --memory-limit caps the whole.
// The JavaScript heap is kept close to what it holds (limitHeapGrowth).
//
// chDB's defaults are a server's (read from system.server_settings, chDB 3.4 / 26.7): a 5 GiB mark
// cache, 5 GiB primary-index and skip-index mark caches, a 128 MiB compiled-expression cache, and a
// total cap of 90 % of the machine's RAM. A backfill reads little back — it inserts, merges, and
// answers anti-joins and status counts — so caches that size only fill up and stay resident.
import v8 from 'node:v8'

/** Cache sizes when no --memory-limit is given: room for the marks of every table a job touches. */
export const DEFAULT_ENGINE_CACHES = {
  mark_cache_size: 128 * 2 ** 20,
  primary_index_cache_size: 64 * 2 ** 20,
  index_mark_cache_size: 32 * 2 ** 20,
  compiled_expression_cache_size: 32 * 2 ** 20,
  query_condition_cache_size: 16 * 2 ** 20,
}

/**
 * What the process needs beside the engine's tracked memory: chDB's code and static data (~250 MiB
 * resident once loaded, before any query) and the pipeline's heap and row buffers. The engine gets
 * the rest of --memory-limit, and never less than half of it.
 */
export const PROCESS_RESERVE_BYTES = 300 * 2 ** 20

/** The engine's share of a --memory-limit of `limitBytes`. */
export function engineBudget(limitBytes: number): number {
  return Math.max(Math.floor(limitBytes / 2), limitBytes - PROCESS_RESERVE_BYTES)
}

/**
 * Command-line settings for the engine (`clickhouse local` form, given at connect: caches and the
 * server's memory cap are server configuration, which no SET reaches). With a limit, the caches
 * take at most a sixteenth of the engine's budget each, and max_server_memory_usage makes the
 * engine refuse a query (MEMORY_LIMIT_EXCEEDED) rather than outgrow the cap.
 */
export function engineArguments(memoryLimitBytes?: number): string[] {
  const caches: Record<string, number> = { ...DEFAULT_ENGINE_CACHES }
  const settings: Record<string, number> = {}
  if (memoryLimitBytes !== undefined) {
    const budget = engineBudget(memoryLimitBytes)
    for (const [name, bytes] of Object.entries(caches))
      caches[name] = Math.min(bytes, Math.floor(budget / 16))
    settings.max_server_memory_usage = budget
    // One query may take most of the budget; the rest stays for the merges and inserts beside it.
    settings.max_memory_usage = Math.floor(budget * 0.8)
  }
  return Object.entries({ ...caches, ...settings }).map(([name, value]) => `--${name}=${value}`)
}

/**
 * How far V8's heap may grow past what survived its last full collection, in percent. Left to
 * itself V8 grows it up to about four times when collections are cheap: the markets step at 160,000
 * markets held 300–410 MB of heap for a live set of 87 MB (a heap snapshot at the peak), most of
 * it Gamma pages and insert payloads already done with. At 30 % the step peaked at 757 MiB instead
 * of 956 MiB, in the same wall time (89.7 s against 96.5 s: it is paced by Gamma's rate limits).
 * The chain step keeps a small heap (its rows live in Buffers) and loaded 1M fills at the same rate
 * with and without it (105,947 and 105,327 rows/s, bench/chain-ingest.ts). So it is always taken.
 */
export const HEAP_GROWING_PERCENT = 30

/**
 * Keeps V8's heap within HEAP_GROWING_PERCENT of its live set from now on. V8 reads this flag at each
 * full collection, so setting it in a running process takes effect (unlike --max-old-space-size,
 * which is fixed when the heap is created). Process-wide.
 */
export function limitHeapGrowth(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
}

/** Bytes of row buffers one chain row takes while it waits for its insert (RowBinary, with slack). */
const ROW_BUFFER_BYTES_PER_ROW = 1_024

/**
 * How much a block-range run may hold in row buffers (load/row-buffers.ts, steps/block-ranges):
 * rows per insert and free buffers kept for reuse. Without a limit, `defaults`; under one, each takes
 * at most a sixteenth of it, since a run holds two inserts' rows and the free buffers at once
 * (100,000 rows is ~100 MiB of buffers: at --memory-limit 600M a batch is 38,400 rows).
 */
export function rowBufferBudget(
  memoryLimitBytes: number | undefined,
  defaults: { commitRows: number; maxFreeBytes: number },
): { commitRows: number; maxFreeBytes: number } {
  if (memoryLimitBytes === undefined) return defaults
  const share = Math.floor(memoryLimitBytes / 16)
  return {
    commitRows: Math.min(defaults.commitRows, Math.floor(share / ROW_BUFFER_BYTES_PER_ROW)),
    maxFreeBytes: Math.min(defaults.maxFreeBytes, share),
  }
}
