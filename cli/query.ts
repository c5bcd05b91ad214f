// polyhouse query "<SQL>" [--param name=value ...] [--format table|json|csv|tsv] [--write]
// Values reach the SQL only as bound parameters ({name:Type}); ClickHouse parses them by type.
// Read-only by default, by the engine's `readonly` setting; --write lets a statement change data.
import type { Command } from 'commander'
import { checkOutputFormat, parseParams, runQuery } from '../load/query.ts'
import { warehouseTarget, withWarehouse } from './context.ts'
import { collect, outputFormatOption } from './options.ts'

interface QueryFlags {
  param: string[]
  format: string
  write?: boolean
}

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description(
      'run SQL against the warehouse, read-only unless --write; bind values with {name:Type} and --param name=value',
    )
    .argument('<sql>', 'the SQL to run')
    .option('-p, --param <name=value>', 'a bound parameter (repeatable)', collect, [])
    .addOption(outputFormatOption())
    .option('--write', 'let the statement change the warehouse (INSERT, ALTER, DROP, CREATE …)')
    .action(async (sql: string, flags: QueryFlags, command: Command) => {
      checkOutputFormat(flags.format)
      parseParams(flags.param)
      await withWarehouse(warehouseTarget(command), async (warehouse) => {
        const output = await runQuery(warehouse, sql, flags.param, flags.format, {
          readOnly: flags.write !== true,
        })
        process.stdout.write(output)
      })
    })
}
