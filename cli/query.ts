// polyhouse query "<SQL>" [--param name=value ...] [--format table|json|csv|tsv]
// Values reach the SQL only as bound parameters ({name:Type}); ClickHouse parses them by type.
import type { Command } from 'commander'
import { runQuery } from '../load/query.ts'
import { withWarehouse } from './context.ts'

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('run SQL against the warehouse; bind values with {name:Type} and --param name=value')
    .argument('<sql>', 'the SQL to run')
    .option('-p, --param <name=value>', 'a bound parameter (repeatable)', collect, [])
    .option('-f, --format <format>', 'table | json | csv | tsv', 'table')
    .action(async (sql: string, options: { param: string[]; format: string }, command: Command) => {
      await withWarehouse(command, async (warehouse) => {
        const output = await runQuery(warehouse, sql, options.param, options.format)
        process.stdout.write(output)
      })
    })
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}
