// The limits an analyst's query runs under, checked as the engine reads them.
//
// A caller's settings arrive as text, and what the text means is the engine's business: it rounds
// max_execution_time to microseconds (`0.0000001` is 0), reads 0 and negative times as "no limit",
// takes `1Gi` for 1073741824 in a row count, and wraps 18446744073709551616 to 0 (chDB 26.7, tried).
// A check on the text misses these, so the caller's settings are applied first and each limit is then
// read back from system.settings in the same session, and refused (SETTING_CONSTRAINT_VIOLATION, as
// a ClickHouse server's settings constraints refuse) if the engine would run without it or above it.
import { ErrorCode, ServeError } from './errors.ts'

export interface QueryLimits {
  max_execution_time: number
  max_result_rows: number
  /** Applied only to results that are held whole before sending (see execute.ts). */
  max_result_bytes: number
  max_memory_usage: number
  max_threads: number
}

/**
 * Settings a caller may lower but not raise above the engine's own default: together they bound what
 * parsing a statement costs (memory and CPU spent before any query limit applies). max_query_size
 * reaches the limit that the parser allocates for; the AST bounds the tree it builds.
 */
const ENGINE_DEFAULT_CEILINGS = [
  'max_query_size',
  'max_ast_depth',
  'max_ast_elements',
  'max_expanded_ast_elements',
] as const

/**
 * The nice value an analyst query's threads run at (os_thread_priority), so that CPU-bound readers
 * yield the cores to the writer: the kernel weighs a nice-19 thread at 15 against a nice-0 thread's
 * 1024 (sched_prio_to_weight). The engine applies it only when the process may renice threads
 * (CAP_SYS_NICE: root, or granted), and puts each thread back to 0 when the query leaves it
 * (src/Common/ThreadStatusExt.cpp, applyQuerySettings); elsewhere it is a no-op, and the cores
 * analysts may use (options.ts) are what bound them.
 */
export const READER_THREAD_NICE = 19

/**
 * Settings a caller may not set at all. os_thread_priority is set for them (READER_THREAD_NICE):
 * the threads are shared with the writer, and a reader asking for -20 would put itself ahead of it.
 */
const PINNED = new Set(['os_thread_priority'])

/** Refuses a setting the caller may not change at all, in the words of a ClickHouse constraint. */
export function refusePinned(name: string): void {
  if (PINNED.has(name)) {
    throw new ServeError(ErrorCode.SETTING_CONSTRAINT_VIOLATION, `Setting ${name} should not be changed`)
  }
}

/** The SELECT that reads back every guarded setting: name, value and the engine's default, as TSV. */
export function readBackQuery(limits: Partial<QueryLimits>): string {
  const names = [...Object.keys(limits), ...ENGINE_DEFAULT_CEILINGS].map((name) => `'${name}'`)
  return `SELECT name, value, default FROM system.settings WHERE name IN (${names.join(', ')})`
}

/**
 * Checks the engine's values (the readBackQuery's TSV) against the limits; `requested` is what the
 * caller sent, for the message. Throws SETTING_CONSTRAINT_VIOLATION for the first one exceeded.
 */
export function checkReadBack(
  tsv: string,
  limits: Partial<QueryLimits>,
  requested: Record<string, string>,
): void {
  for (const line of tsv.split('\n')) {
    const [name = '', value = '', engineDefault = ''] = line.split('\t')
    const limit = (limits as Record<string, number | undefined>)[name]
    const ceiling =
      limit ??
      ((ENGINE_DEFAULT_CEILINGS as readonly string[]).includes(name) ? Number(engineDefault) : undefined)
    if (ceiling === undefined) continue
    const amount = engineAmount(name, value)
    if (amount !== undefined && amount > 0 && amount <= ceiling) continue
    const asked = requested[name]
    const unlimited = amount !== undefined && amount <= 0 ? ', which means no limit' : ''
    const reading =
      asked === undefined || asked === value ? '' : ` (the engine reads '${asked}' as ${value}${unlimited})`
    throw new ServeError(
      ErrorCode.SETTING_CONSTRAINT_VIOLATION,
      `Setting ${name} shouldn't be greater than ${ceiling}${reading}`,
    )
  }
}

/**
 * A setting's value as system.settings shows it, as a number: seconds for times, counts otherwise;
 * `auto(N)` (max_threads 0: one per core) is N. A count beyond 2^53 is only compared, never exact.
 */
function engineAmount(name: string, value: string): number | undefined {
  const auto = /^auto\((\d+)\)$/.exec(value)
  if (auto) return Number(auto[1])
  const amount = Number(value)
  if (!Number.isFinite(amount)) return undefined
  // The engine runs a negative time as no limit at all (tried: max_execution_time = -1 lets sleep(1) finish).
  return name === 'max_execution_time' && amount < 0 ? 0 : amount
}
