// polyhouse migrate [--dry-run]: apply pending sql/ migrations, then changed views.
import type { Command } from 'commander'
import { checkFolder } from '../core/config.ts'
import { ledgerDdl } from '../load/ledger.ts'
import { type MigrateResult, migrate, type PlannedStep, plan } from '../load/migrate.ts'
import { loadMigrations, loadViews } from '../load/migrations.ts'
import { openWarehouse } from '../load/warehouse.ts'
import { globalOptions, sqlDirs, warehouseTarget } from './context.ts'

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending sql/ migrations and changed views (every other command does this first)')
    .option('--dry-run', 'print the SQL that would run, change nothing')
    .action(async (options: { dryRun?: boolean }, command: Command) => {
      const flags = globalOptions(command)
      if (options.dryRun && flags.cluster && !flags.clickhouseUrl && !process.env.CLICKHOUSE_URL) {
        // No server to ask which files ran: render everything for the cluster.
        const dirs = sqlDirs(command)
        if (dirs.sqlDir !== undefined) checkFolder('--sql-dir', dirs.sqlDir)
        if (dirs.viewsDir !== undefined) checkFolder('--views-dir', dirs.viewsDir)
        process.stdout.write(`-- would create the ledger\n${ledgerDdl(flags.cluster)};\n\n`)
        printPlan(plan(loadMigrations(dirs.sqlDir), loadViews(dirs.viewsDir), new Map(), flags.cluster), true)
        return
      }
      const target = warehouseTarget(command)
      const warehouse = await openWarehouse(target.config)
      try {
        const result = await migrate(warehouse, { ...target.dirs, dryRun: options.dryRun === true })
        if (options.dryRun) printPlan(result.planned, true)
        else if (!result.error || result.applied.length > 0) printResult(result)
        if (result.error) throw result.error
        if (result.viewErrors.length > 0) process.exitCode = 1
      } finally {
        await warehouse.close()
      }
    })
}

export function printResult(result: MigrateResult): void {
  if (result.planned.length === 0) {
    process.stdout.write('up to date: nothing to apply\n')
    return
  }
  for (const step of result.applied) process.stdout.write(`applied ${describe(step)}\n`)
  for (const failure of result.viewErrors) {
    process.stdout.write(`FAILED view ${failure.name}: ${failure.message}\n`)
  }
}

function printPlan(steps: PlannedStep[], withSql: boolean): void {
  if (steps.length === 0) {
    process.stdout.write('up to date: nothing to apply\n')
    return
  }
  for (const step of steps) {
    process.stdout.write(`-- would apply ${describe(step)}\n`)
    if (withSql) for (const statement of step.statements) process.stdout.write(`${statement};\n\n`)
  }
}

function describe(step: PlannedStep): string {
  if (step.kind === 'view') return `view ${step.name}`
  const resumed = step.fromStatement > 0 ? `, resuming at statement ${step.fromStatement + 1}` : ''
  return `sql/${step.name}.sql (${step.statements.length} statement${step.statements.length === 1 ? '' : 's'}${resumed})`
}
