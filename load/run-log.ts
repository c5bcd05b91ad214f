// What the operator reads in the morning: every run (etl_runs), every long unit of work (etl_jobs),
// every unit that failed after its retries (etl_errors), every record that failed validation
// (etl_quarantine). Writes are plain inserts; the latest row per key wins (ReplacingMergeTree).
// Anyone `serve` lets in can read these tables and `status` prints them, so URLs keep only their
// scheme and host and secret flags' values are '***' (core/redact.ts).
import { createHash, randomUUID } from 'node:crypto'
import os from 'node:os'
import { redactArguments, redactUrls } from '../core/redact.ts'
import type { Warehouse } from './warehouse.ts'

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'interrupted'
export type JobStatus = 'pending' | 'in_progress' | 'completed' | 'failed'

export interface QuarantinedRecord {
  /** The record's id when it has one; otherwise a hash of raw is used. */
  key?: string
  reason: string
  raw: string
}

/** One RPC endpoint's figures in a run of a chain stream (etl_rpc_endpoints). */
export interface RpcEndpointReport {
  /** Scheme and host only. */
  endpoint: string
  state: string
  head: number
  ranges: number
  blocks: number
  logs: number
  requests: number
  failedRequests: number
  rateLimited: number
  failedRanges: number
  handedOff: number
  tooLarge: number
  rangeBlocks: number
  rangeCap: number
  busyMs: number
  elapsedMs: number
  lastError: string
}

export class RunLog {
  readonly runId: string
  private readonly startedAt = Date.now()
  private counts: Record<string, number> = {}

  constructor(
    private readonly warehouse: Warehouse,
    private readonly command: string,
    private readonly args: readonly string[],
    runId: string = randomUUID(),
  ) {
    this.runId = runId
  }

  async start(): Promise<void> {
    await this.write('running')
  }

  count(name: string, by = 1): void {
    this.counts[name] = (this.counts[name] ?? 0) + by
  }

  get totals(): Readonly<Record<string, number>> {
    return this.counts
  }

  /** Saves the counts so far (for `status` while the run goes on). */
  async checkpoint(): Promise<void> {
    await this.write('running')
  }

  async finish(status: Exclude<RunStatus, 'running'>, error = ''): Promise<void> {
    await this.write(status, error, Date.now())
  }

  async job(job: {
    jobId: string
    kind: string
    target: string
    rangeFrom?: number
    rangeTo?: number
    status: JobStatus
    progress?: number
    rowsWritten?: number
    error?: string
    startedAt?: number
  }): Promise<void> {
    await this.warehouse.insert('etl_jobs', [
      {
        job_id: job.jobId,
        run_id: this.runId,
        kind: job.kind,
        target: job.target,
        range_from: job.rangeFrom ?? 0,
        range_to: job.rangeTo ?? 0,
        status: job.status,
        progress: job.progress ?? (job.status === 'completed' ? 1 : 0),
        rows_written: job.rowsWritten ?? 0,
        error: redactUrls(job.error ?? ''),
        started_at: job.startedAt ?? null,
        updated_at: Date.now(),
      },
    ])
  }

  /** A unit that failed after its retries: logged here, and left not-done in its checkpoint. */
  async error(failure: {
    stream: string
    unit: string
    error: unknown
    attempts?: number
    url?: string
  }): Promise<void> {
    this.count('errors')
    const error = failure.error as Error | undefined
    await this.warehouse.insert('etl_errors', [
      {
        occurred_at: Date.now(),
        run_id: this.runId,
        stream: failure.stream,
        unit: redactUrls(failure.unit),
        error_kind: error?.name ?? 'Error',
        message: redactUrls(error?.message ?? String(failure.error)),
        attempts: failure.attempts ?? 1,
        url: redactUrls(failure.url ?? ''),
      },
    ])
  }

  /** How each RPC endpoint of a chain stream fared so far (the latest row per endpoint wins). */
  async rpcEndpoints(stream: string, reports: readonly RpcEndpointReport[]): Promise<void> {
    if (reports.length === 0) return
    const now = Date.now()
    await this.warehouse.insert(
      'etl_rpc_endpoints',
      reports.map((report) => ({
        run_id: this.runId,
        stream,
        endpoint: redactUrls(report.endpoint),
        state: report.state,
        head: report.head,
        ranges: report.ranges,
        blocks: report.blocks,
        logs: report.logs,
        requests: report.requests,
        failed_requests: report.failedRequests,
        rate_limited: report.rateLimited,
        failed_ranges: report.failedRanges,
        handed_off: report.handedOff,
        too_large: report.tooLarge,
        range_blocks: report.rangeBlocks,
        range_cap: Math.min(report.rangeCap, 2 ** 32 - 1),
        busy_ms: report.busyMs,
        elapsed_ms: report.elapsedMs,
        last_error: redactUrls(report.lastError),
        updated_at: now,
      })),
    )
  }

  /** Records that failed validation go here with their raw JSON and why; the run goes on. */
  async quarantine(stream: string, records: readonly QuarantinedRecord[]): Promise<void> {
    if (records.length === 0) return
    this.count('quarantined', records.length)
    await this.warehouse.insert(
      'etl_quarantine',
      records.map((record) => ({
        stream,
        record_key: record.key ?? createHash('sha256').update(record.raw).digest('hex'),
        reason: record.reason,
        raw: record.raw,
        run_id: this.runId,
        quarantined_at: Date.now(),
      })),
    )
  }

  private async write(status: RunStatus, error = '', finishedAt: number | null = null): Promise<void> {
    await this.warehouse.insert('etl_runs', [
      {
        run_id: this.runId,
        command: this.command,
        arguments: redactArguments(this.args).join(' '),
        host: os.hostname(),
        pid: process.pid,
        status,
        started_at: this.startedAt,
        finished_at: finishedAt,
        counts: this.counts,
        error: redactUrls(error),
        updated_at: Date.now(),
      },
    ])
  }
}
