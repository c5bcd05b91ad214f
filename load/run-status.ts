// What the run records say (load/run-log.ts writes them): the latest runs and how they ended, the
// errors of the last run (or since a time), and the records quarantined per stream. Read-only.
import os from 'node:os'
import type { Warehouse } from './warehouse.ts'

/** Runs listed by status, newest first. */
export const RUNS_LISTED = 5
/** Error messages shown per (stream, kind). */
export const ERROR_SAMPLES = 3

export interface RunSummary {
  runId: string
  command: string
  arguments: string
  status: 'running' | 'succeeded' | 'failed' | 'interrupted'
  startedAt: string
  finishedAt: string | null
  /** Last time the run wrote its row (progress checkpoints while it runs). */
  updatedAt: string
  counts: Record<string, number>
  error: string
  host: string
  pid: number
  /**
   * For a run still marked running: whether its process is alive (known only on the same host).
   * A run killed with SIGKILL never finishes its row; `false` says so.
   */
  alive?: boolean
}

export interface ErrorGroup {
  stream: string
  kind: string
  count: number
  lastAt: string
  samples: { unit: string; message: string }[]
}

export interface ErrorReport {
  /** `run <id>` for the last run's errors, or `since <time>`. */
  scope: string
  total: number
  groups: ErrorGroup[]
}

export interface QuarantineCount {
  stream: string
  records: number
  /** Of which quarantined by the run the report is about. */
  lastRun: number
}

/** The latest runs (of `command` when given), newest first. */
export async function recentRuns(
  warehouse: Warehouse,
  options: { command?: string; limit?: number } = {},
): Promise<RunSummary[]> {
  const rows = await warehouse.query<{
    run_id: string
    command: string
    arguments: string
    status: RunSummary['status']
    started_at: string
    finished_at: string | null
    updated_at: string
    counts: Record<string, string>
    error: string
    host: string
    pid: number
  }>(
    `SELECT run_id, command, arguments, status, toString(started_at) AS started_at,
            if(isNull(finished_at), NULL, toString(finished_at)) AS finished_at, toString(updated_at) AS updated_at,
            counts, error, host, pid
     FROM etl_runs FINAL
     WHERE {command:String} = '' OR command = {command:String}
     ORDER BY started_at DESC LIMIT {limit:UInt32}`,
    { command: options.command ?? '', limit: options.limit ?? RUNS_LISTED },
  )
  return rows.map((row) => ({
    runId: row.run_id,
    command: row.command,
    arguments: row.arguments,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
    counts: Object.fromEntries(Object.entries(row.counts).map(([name, value]) => [name, Number(value)])),
    error: row.error,
    host: row.host,
    pid: Number(row.pid),
    ...(row.status === 'running' && row.host === os.hostname()
      ? { alive: processAlive(Number(row.pid)) }
      : {}),
  }))
}

/** The latest run of `command` (the morning read is about the last backfill), else the latest run. */
export async function lastRunOf(warehouse: Warehouse, command: string): Promise<RunSummary | undefined> {
  const [run] = await recentRuns(warehouse, { command, limit: 1 })
  return run ?? (await recentRuns(warehouse, { limit: 1 }))[0]
}

/** Errors of one run, or of every run since `sinceMs`, grouped by stream and kind. */
export async function errorReport(
  warehouse: Warehouse,
  scope: { runId: string } | { sinceMs: number },
): Promise<ErrorReport> {
  const where =
    'runId' in scope ? 'run_id = {runId:String}' : 'occurred_at >= fromUnixTimestamp64Milli({since:Int64})'
  const params = 'runId' in scope ? { runId: scope.runId } : { since: scope.sinceMs }
  const rows = await warehouse.query<{
    stream: string
    kind: string
    count: string
    last_at: string
    samples: [string, string][]
  }>(
    `SELECT stream, error_kind AS kind, toString(count()) AS count, toString(max(occurred_at)) AS last_at,
            arraySlice(arrayReverseSort(x -> x.1, groupArray((toString(occurred_at), unit, message))), 1, ${ERROR_SAMPLES})
              AS timed, arrayMap(x -> (x.2, x.3), timed) AS samples
     FROM etl_errors WHERE ${where}
     GROUP BY stream, kind ORDER BY count() DESC, stream, kind`,
    params,
  )
  const groups = rows.map((row) => ({
    stream: row.stream,
    kind: row.kind,
    count: Number(row.count),
    lastAt: row.last_at,
    samples: row.samples.map(([unit, message]) => ({ unit, message })),
  }))
  return {
    scope: 'runId' in scope ? `run ${scope.runId}` : `since ${new Date(scope.sinceMs).toISOString()}`,
    total: groups.reduce((sum, group) => sum + group.count, 0),
    groups,
  }
}

/** Records in etl_quarantine per stream, and how many of them `runId` put there. */
export async function quarantineCounts(warehouse: Warehouse, runId: string): Promise<QuarantineCount[]> {
  const rows = await warehouse.query<{ stream: string; records: string; last_run: string }>(
    `SELECT stream, toString(count()) AS records, toString(countIf(run_id = {runId:String})) AS last_run
     FROM etl_quarantine FINAL GROUP BY stream ORDER BY stream`,
    { runId },
  )
  return rows.map((row) => ({
    stream: row.stream,
    records: Number(row.records),
    lastRun: Number(row.last_run),
  }))
}

/** ClickHouse's DateTime64 text ('YYYY-MM-DD hh:mm:ss.sss', UTC) as ms since epoch. */
export function clickhouseTimeMs(text: string): number {
  return Date.parse(`${text.replace(' ', 'T')}Z`)
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
