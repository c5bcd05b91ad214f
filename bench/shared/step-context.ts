// A StepContext on a real temporary warehouse, for driving one step as the backfill would.
import { CheckpointStore } from '../../checkpoints/store.ts'
import { migrate } from '../../load/migrate.ts'
import { RunLog } from '../../load/run-log.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import type { StepContext, StepProgress } from '../../steps/step.ts'

export interface RecordedContext extends StepContext {
  progress: Partial<StepProgress>[]
  notes: string[]
}

export async function stepContext(
  warehouse: Warehouse,
  signal = new AbortController().signal,
): Promise<RecordedContext> {
  const result = await migrate(warehouse)
  if (result.error) throw result.error
  const runLog = new RunLog(warehouse, 'test', [])
  await runLog.start()
  const progress: Partial<StepProgress>[] = []
  const notes: string[] = []
  return {
    warehouse,
    checkpoints: new CheckpointStore(warehouse, runLog.runId),
    runLog,
    signal,
    reporter: { update: (update) => progress.push(update), note: (message) => notes.push(message) },
    progress,
    notes,
  }
}
