// Runs the chain step in this process on a data directory, as `polyhouse backfill --steps chain`
// would (the step is not in the backfill's registry yet), then closes the directory so the CLI can
// open it.

import { stepContext } from '../../bench/shared/step-context.ts'
import { openWarehouse } from '../../load/warehouse.ts'
import { createChainStep, resolveChainOptions } from '../../steps/chain/index.ts'
import type { StepOutcome } from '../../steps/step.ts'

export async function runChainStep(dataDir: string, rpcUrl: string): Promise<StepOutcome> {
  const warehouse = await openWarehouse({ kind: 'embedded', dataDir })
  try {
    const context = await stepContext(warehouse)
    const step = createChainStep(resolveChainOptions({ rpcUrl, rate: 'rpc=2000/s' }, {}))
    const outcome = await step.run(context)
    await context.runLog.finish(outcome.failures.length ? 'failed' : 'succeeded')
    return outcome
  } finally {
    await warehouse.close()
  }
}
