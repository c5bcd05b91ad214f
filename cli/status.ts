// polyhouse status [--json]: the morning read of the warehouse.
import type { Command } from 'commander'
import { collectStatus, type WarehouseStatus } from '../load/status.ts'
import { sqlDirs, withWarehouse } from './context.ts'

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('migrations, rows per table, checkpoints and view state')
    .option('--json', 'print one JSON document')
    .action(async (options: { json?: boolean }, command: Command) => {
      const status = await withWarehouse(command, (warehouse) => collectStatus(warehouse, sqlDirs(command)))
      process.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status))
    })
}

function formatStatus(status: WarehouseStatus): string {
  const lines = [
    `warehouse: ${status.warehouse.kind} ${status.warehouse.location} (ClickHouse ${status.warehouse.version})`,
  ]
  const { migrations } = status
  lines.push(
    `migrations: ${migrations.applied} applied, ${migrations.pending.length} pending${
      migrations.failed.length ? `, ${migrations.failed.length} FAILED` : ''
    }`,
  )
  for (const failure of migrations.failed) {
    lines.push(`  ${failure.name} stopped at statement ${failure.statement}: ${failure.error}`)
  }
  lines.push('tables:')
  const width = Math.max(...status.tables.map((table) => table.name.length), 5)
  for (const table of status.tables) {
    lines.push(`  ${table.name.padEnd(width)}  ${table.rows.toLocaleString('en-US').padStart(14)} rows`)
  }
  lines.push(status.checkpoints.length ? 'checkpoints:' : 'checkpoints: none yet')
  for (const checkpoint of status.checkpoints) {
    lines.push(
      `  ${checkpoint.stream}: ${checkpoint.units} units, ${checkpoint.rows.toLocaleString('en-US')} rows, last ${checkpoint.lastUpdate}`,
    )
  }
  lines.push('views:')
  for (const view of status.views)
    lines.push(`  ${view.name}: ${view.state}${view.error ? ` — ${view.error}` : ''}`)
  return `${lines.join('\n')}\n`
}
