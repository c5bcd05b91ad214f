// A minimal step runner for the chain tests: a real migrated embedded warehouse in a temp dir,
// a run log, checkpoints, a reporter that keeps its notes, and a StepContext to run a step with.
import { CheckpointStore } from '../../../checkpoints/store.ts'
import { RPC_LIMIT } from '../../../extract/http/rates.ts'
import { migrate } from '../../../load/migrate.ts'
import { RunLog } from '../../../load/run-log.ts'
import type { Warehouse } from '../../../load/warehouse.ts'
import type { ChainOptions } from '../../../steps/chain/options.ts'
import type { StepContext, StepProgress } from '../../../steps/step.ts'
import { openTempWarehouse } from '../../helpers/warehouse.ts'

export interface StepHarness {
  warehouse: Warehouse
  checkpoints: CheckpointStore
  runLog: RunLog
  notes: string[]
  progress: Partial<StepProgress>[]
  context(signal?: AbortSignal): StepContext
  close(): Promise<void>
}

export async function openStepHarness(
  dataDir?: string,
  options: { memoryLimitBytes?: number } = {},
): Promise<StepHarness> {
  const warehouse = await openTempWarehouse(dataDir, options)
  const migrated = await migrate(warehouse)
  if (migrated.error) throw migrated.error
  if (migrated.viewErrors.length > 0) throw new Error(JSON.stringify(migrated.viewErrors))
  const runLog = new RunLog(warehouse, 'test', [])
  await runLog.start()
  const checkpoints = new CheckpointStore(warehouse, runLog.runId)
  const notes: string[] = []
  const progress: Partial<StepProgress>[] = []
  return {
    warehouse,
    checkpoints,
    runLog,
    notes,
    progress,
    context: (signal = new AbortController().signal) => ({
      warehouse,
      checkpoints,
      runLog,
      signal,
      reporter: { update: (update) => progress.push(update), note: (message) => notes.push(message) },
    }),
    close: () => warehouse.close(),
  }
}

/** Chain options for a local node: everything from block 0, no confirmations, a generous rate. */
export function localChainOptions(rpcUrl: string, overrides: Partial<ChainOptions> = {}): ChainOptions {
  return {
    rpcUrls: [rpcUrl],
    fromBlock: 0,
    confirmations: 0,
    shard: { index: 1, count: 1 },
    rpcRate: { count: 1_000, windowMs: 1_000 },
    ...overrides,
  }
}

export { RPC_LIMIT }

/** Rows of a query with decimals printed at their full scale ("17.700000"), as strings. */
export async function rows<T = Record<string, string>>(warehouse: Warehouse, sql: string): Promise<T[]> {
  return warehouse.query<T>(`${sql} SETTINGS output_format_decimal_trailing_zeros = 1`)
}
