// What `polyhouse report` draws, read from the warehouse: the run (etl_runs), its steps (etl_jobs),
// rows written over time (each staging row's _run_id and _ingested_at), block coverage over time
// (the chain ranges of etl_checkpoints), rows per step, and errors by kind. Read-only.
import type { BlockRange } from '../checkpoints/range-set.ts'
import { clickhouseTimeMs, lastRunOf, type RunSummary } from '../load/run-status.ts'
import type { Warehouse } from '../load/warehouse.ts'
import { FILLS_STREAM_NAME } from '../steps/chain/index.ts'
import type { PipelineStatus } from '../steps/status.ts'

/** Points of the throughput and coverage curves: enough for a smooth line, few enough to stay small. */
export const TIME_BUCKETS = 60

/** The staging tables each step writes, in the order of the run. */
export const STEP_TABLES: Record<string, readonly string[]> = {
  markets: ['markets', 'events', 'market_tokens', 'tags'],
  chain: ['chain_fills', 'chain_blocks'],
  transfers: ['chain_transfers', 'chain_transfer_blocks'],
  wallets: ['wallets', 'positions'],
}

export interface ReportData {
  generatedAt: string
  status: PipelineStatus
  run: RunSummary | undefined
  jobs: { kind: string; status: string; startedAt: number; endedAt: number; rows: number }[]
  /** Rows written per step per time bucket of the run (ms since epoch). */
  throughput: { step: string; points: { at: number; rows: number }[] }[]
  bucketMs: number
  /** Blocks recorded done over time, cumulative (all runs), and the done ranges now. */
  coverage: { points: { at: number; blocks: number }[]; from: number; to: number; done: BlockRange[] }
  rowsPerStep: { step: string; table: string; rows: number }[]
  errorsByKind: { kind: string; stream: string; count: number }[]
}

export async function collectReportData(warehouse: Warehouse, status: PipelineStatus): Promise<ReportData> {
  const run = status.lastRun ?? (await lastRunOf(warehouse, 'backfill'))
  const jobs = run ? await runJobs(warehouse, run.runId) : []
  const start = run ? clickhouseTimeMs(run.startedAt) : 0
  const end = run ? clickhouseTimeMs(run.finishedAt ?? run.updatedAt) : 0
  const bucketMs = Math.max(1_000, Math.ceil((end - start) / TIME_BUCKETS / 1_000) * 1_000)
  const tables = new Set(status.tables.map((table) => table.name))
  const throughput: ReportData['throughput'] = []
  for (const [step, stepTables] of Object.entries(STEP_TABLES)) {
    const present = stepTables.filter((table) => tables.has(table))
    if (!run || present.length === 0) continue
    const rows = await warehouse.query<{ at: string; rows: string }>(
      `SELECT toString(toUnixTimestamp64Milli(toStartOfInterval(_ingested_at, toIntervalMillisecond({bucket:UInt64})))) AS at,
              toString(count()) AS rows
       FROM merge(currentDatabase(), {pattern:String}) WHERE _run_id = {run:String}
       GROUP BY at ORDER BY at`,
      { bucket: bucketMs, pattern: `^(${present.join('|')})$`, run: run.runId },
    )
    if (rows.length > 0)
      throughput.push({ step, points: rows.map((row) => ({ at: Number(row.at), rows: Number(row.rows) })) })
  }
  const rowsPerStep = Object.entries(STEP_TABLES).flatMap(([step, stepTables]) =>
    stepTables.map((table) => ({
      step,
      table,
      rows: status.tables.find((entry) => entry.name === table)?.rows ?? 0,
    })),
  )
  const errors = await warehouse.query<{ kind: string; stream: string; count: string }>(
    `SELECT error_kind AS kind, stream, toString(count()) AS count FROM etl_errors
     WHERE {run:String} = '' OR run_id = {run:String}
     GROUP BY kind, stream ORDER BY count() DESC, kind, stream`,
    { run: run?.runId ?? '' },
  )
  return {
    generatedAt: status.generatedAt,
    status,
    run,
    jobs,
    throughput,
    bucketMs,
    coverage: await coverageOverTime(warehouse, status),
    rowsPerStep,
    errorsByKind: errors.map((row) => ({ kind: row.kind, stream: row.stream, count: Number(row.count) })),
  }
}

async function runJobs(warehouse: Warehouse, runId: string): Promise<ReportData['jobs']> {
  const rows = await warehouse.query<{
    kind: string
    status: string
    started: string
    updated: string
    rows: string
  }>(
    `SELECT kind, toString(status) AS status, toString(toUnixTimestamp64Milli(ifNull(started_at, updated_at))) AS started,
            toString(toUnixTimestamp64Milli(updated_at)) AS updated, toString(rows_written) AS rows
     FROM etl_jobs FINAL WHERE run_id = {run:String} ORDER BY started`,
    { run: runId },
  )
  return rows.map((row) => ({
    kind: row.kind,
    status: row.status,
    startedAt: Number(row.started),
    endedAt: Number(row.updated),
    rows: Number(row.rows),
  }))
}

/** Cumulative blocks recorded done, by when each range was recorded (the latest record of each). */
async function coverageOverTime(
  warehouse: Warehouse,
  status: PipelineStatus,
): Promise<ReportData['coverage']> {
  const chain = status.steps.chain
  const ranges = await warehouse.query<{ at: string; blocks: string; from: string; to: string }>(
    `SELECT toString(toUnixTimestamp64Milli(updated_at)) AS at, toString(to_block - from_block + 1) AS blocks,
            toString(from_block) AS from, toString(to_block) AS to
     FROM etl_checkpoints FINAL WHERE stream = {stream:String} AND kind = 'range' ORDER BY updated_at`,
    { stream: FILLS_STREAM_NAME },
  )
  const first = Number(ranges[0]?.at ?? 0)
  // From nothing: the curve starts at zero when the first range was recorded.
  const points: { at: number; blocks: number }[] = ranges.length ? [{ at: first - 1, blocks: 0 }] : []
  let total = 0
  const last = Number(ranges[ranges.length - 1]?.at ?? 0)
  const bucket = Math.max(1, Math.ceil((last - first) / TIME_BUCKETS))
  for (const range of ranges) {
    total += Number(range.blocks)
    const at = first + Math.floor((Number(range.at) - first) / bucket) * bucket
    const previous = points[points.length - 1]
    if (previous && previous.at === at) previous.blocks = total
    else points.push({ at, blocks: total })
  }
  const done = ranges
    .map((range) => ({ from: Number(range.from), to: Number(range.to) }))
    .sort((a, b) => a.from - b.from)
  return { points, from: chain.from, to: chain.to, done }
}
