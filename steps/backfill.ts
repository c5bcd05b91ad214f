// The overnight run: every step in order, each resuming on its own from its checkpoints. A step
// that fails does not stop the next one; an interruption stops taking new units everywhere.
import { CheckpointStore } from '../checkpoints/store.ts'
import type { RunLog } from '../load/run-log.ts'
import type { Warehouse } from '../load/warehouse.ts'
import type { Step, StepName, StepOutcome, StepPlan, StepReporter } from './step.ts'

/** Where a run says how it goes: the CLI's progress board (cli/progress.ts), lines or bars. */
export interface RunBoard {
  reporter(step: string): StepReporter
  /** The step is over: its last figures are printed and it is not reported again. */
  finish(step: string): void
  log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void
}

export interface BackfillResult {
  outcomes: { step: StepName; outcome: StepOutcome }[]
  interrupted: boolean
}

export async function runBackfill(params: {
  warehouse: Warehouse
  steps: readonly Step[]
  runLog: RunLog
  board: RunBoard
  signal: AbortSignal
}): Promise<BackfillResult> {
  const { warehouse, runLog, board, signal } = params
  const checkpoints = new CheckpointStore(warehouse, runLog.runId)
  const outcomes: BackfillResult['outcomes'] = []
  for (const step of params.steps) {
    if (signal.aborted) break
    const jobId = `${runLog.runId}/${step.name}`
    const startedAt = Date.now()
    await runLog.job({ jobId, kind: step.name, target: step.name, status: 'in_progress', startedAt })
    board.log('info', 'started', { step: step.name })
    let outcome: StepOutcome
    try {
      outcome = await step.run({
        warehouse,
        checkpoints,
        runLog,
        signal,
        reporter: board.reporter(step.name),
      })
    } catch (error) {
      // A step that cannot even start (its source unreachable, a bad option) fails alone.
      const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)
      await runLog.error({ stream: step.name, unit: step.name, error })
      outcome = { rows: 0, failures: [{ unit: step.name, error: message }], complete: false }
    }
    board.finish(step.name)
    runLog.count(`${step.name}.rows`, outcome.rows)
    const failed = outcome.failures.length > 0
    await runLog.job({
      jobId,
      kind: step.name,
      target: step.name,
      status: failed ? 'failed' : outcome.complete ? 'completed' : 'in_progress',
      rowsWritten: outcome.rows,
      error: outcome.failures
        .map((failure) => `${failure.unit}: ${failure.error}`)
        .join('; ')
        .slice(0, 2000),
      startedAt,
    })
    await runLog.checkpoint()
    board.log(failed ? 'warn' : 'info', summarize(outcome, signal.aborted), { step: step.name })
    outcomes.push({ step: step.name, outcome })
  }
  return { outcomes, interrupted: signal.aborted }
}

/** `--dry-run`: what each step has done and what remains, changing nothing. */
export async function planBackfill(
  warehouse: Warehouse,
  steps: readonly Step[],
): Promise<{ step: StepName; plan: StepPlan }[]> {
  const checkpoints = new CheckpointStore(warehouse, 'dry-run')
  const plans: { step: StepName; plan: StepPlan }[] = []
  const signal = new AbortController().signal
  for (const step of steps)
    plans.push({ step: step.name, plan: await step.plan({ warehouse, checkpoints, signal }) })
  return plans
}

function summarize(outcome: StepOutcome, interrupted: boolean): string {
  const state = interrupted
    ? 'interrupted'
    : outcome.failures.length
      ? 'finished with failures'
      : outcome.complete
        ? 'done'
        : 'stopped with work left'
  const failures = outcome.failures.length ? `, ${outcome.failures.length} failed units` : ''
  return `${state}: ${outcome.rows.toLocaleString('en-US')} rows${failures}`
}
