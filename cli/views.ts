// polyhouse views rebuild [--check]: re-create every view in dependency order, or only report
// which views no longer compile against the current tables.
import type { Command } from 'commander'
import { migrate } from '../load/migrate.ts'
import { checkViews } from '../load/views.ts'
import { sqlDirs, withWarehouse } from './context.ts'
import { printResult } from './migrate.ts'

export function registerViews(program: Command): void {
  const views = program.command('views').description('manage the views in views/')
  views
    .command('rebuild')
    .description('re-create every view in dependency order')
    .option('--check', 'change nothing: report each view that no longer compiles, with the ClickHouse error')
    .action(async (options: { check?: boolean }, command: Command) => {
      await withWarehouse(
        command,
        async (warehouse) => {
          if (options.check) {
            const states = await checkViews(warehouse, sqlDirs(command))
            for (const view of states) {
              process.stdout.write(`${view.name}: ${view.state}${view.error ? ` — ${view.error}` : ''}\n`)
            }
            if (states.some((view) => view.state === 'broken')) process.exitCode = 1
            return
          }
          const result = await migrate(warehouse, { ...sqlDirs(command), rebuildViews: true })
          printResult(result)
          if (result.error) throw result.error
          if (result.viewErrors.length > 0) process.exitCode = 1
        },
        // --check must change nothing, so it does not migrate first.
        { migrate: false },
      )
    })
}
