// The last step of a backfill: views are applied when stale (migrate does it) and each one is
// checked to compile against the tables as they are; a broken view is a failed unit. Then the
// leaderboard's PnL snapshot is refreshed (steps/pnl/snapshot.ts).
import { migrate } from '../load/migrate.ts'
import { checkViews } from '../load/views.ts'
import { refreshWalletPnl } from './pnl/snapshot.ts'
import type { Step, StepContext, StepOutcome, StepPlan } from './step.ts'

export function createViewsStep(dirs: { sqlDir?: string; viewsDir?: string } = {}): Step {
  return {
    name: 'views',
    async plan(context): Promise<StepPlan> {
      const states = await checkViews(context.warehouse, dirs)
      const current = states.filter((view) => view.state === 'applied').length
      return {
        unit: 'views',
        done: current,
        remaining: states.length - current,
        requests: 0,
        seconds: 0,
        detail: states
          .filter((view) => view.state !== 'applied')
          .map((view) => `${view.name} ${view.state}`)
          .join(', '),
      }
    },
    async run(context: StepContext): Promise<StepOutcome> {
      const result = await migrate(context.warehouse, dirs)
      if (result.error) throw result.error
      const states = await checkViews(context.warehouse, dirs)
      // The leaderboard's snapshot (steps/pnl/snapshot.ts), once its views compile.
      if (states.every((view) => view.state === 'applied')) {
        const pnl = await refreshWalletPnl(context.warehouse)
        context.reporter.note(
          `PnL snapshot ${pnl.snapshot}: ${pnl.wallets} wallets, ${pnl.positions} positions in ${pnl.seconds.toFixed(1)} s`,
        )
      }
      const failures = states
        .filter((view) => view.state !== 'applied')
        .map((view) => ({ unit: view.name, error: view.error ?? view.state }))
      context.reporter.update({
        unit: 'views',
        done: states.length - failures.length,
        total: states.length,
        errors: failures.length,
      })
      return { rows: 0, failures, complete: failures.length === 0 }
    },
    async reset(): Promise<void> {},
  }
}
