// polyhouse grants --print: DDL for a read-only analyst role on a ClickHouse server, to apply with
// the server's admin account. polyhouse prints it and never runs it: its own user should not hold
// the privilege to create users and roles.
import type { Command } from 'commander'
import { UsageError } from '../core/errors.ts'
import { sha256Hex } from '../load/serve/auth.ts'
import { DEFAULT_MAX_MEMORY_BYTES, DEFAULT_ROLE, grantsDdl } from '../load/serve/grants.ts'
import { DEFAULT_MAX_EXECUTION_TIME_S, DEFAULT_MAX_RESULT_ROWS } from '../load/serve/options.ts'
import { globalOptions } from './context.ts'

interface GrantsFlags {
  print?: boolean
  database?: string
  role: string
  user?: string
  maxExecutionTime: string
  maxResultRows: string
  maxMemoryBytes: string
}

export function registerGrants(program: Command): void {
  program
    .command('grants')
    .description('print DDL for a read-only analyst role, profile and quota on a ClickHouse server')
    .option('--print', 'print the DDL (polyhouse does not apply it)')
    .option(
      '--database <name>',
      "the analysts' database (default: --clickhouse-database, CLICKHOUSE_DATABASE, or default)",
    )
    .option('--role <name>', 'role, profile and quota name', DEFAULT_ROLE)
    .option(
      '--user <name>',
      'also create this user; its password comes from env POLYHOUSE_ANALYST_PASSWORD, hashed',
    )
    .option('--max-execution-time <seconds>', 'longest query', String(DEFAULT_MAX_EXECUTION_TIME_S))
    .option('--max-result-rows <rows>', 'largest result', String(DEFAULT_MAX_RESULT_ROWS))
    .option('--max-memory-bytes <bytes>', 'memory per query', String(DEFAULT_MAX_MEMORY_BYTES))
    .action((flags: GrantsFlags, command: Command) => {
      if (!flags.print) {
        throw new UsageError('polyhouse grants only prints the DDL', {
          hint: 'run `polyhouse grants --print` and apply it with the server admin account (clickhouse-client --multiquery)',
        })
      }
      const global = globalOptions(command)
      const password = process.env.POLYHOUSE_ANALYST_PASSWORD
      if (flags.user !== undefined && !password) {
        throw new UsageError(`--user ${flags.user} needs a password`, {
          hint: 'set POLYHOUSE_ANALYST_PASSWORD; only its SHA-256 is printed',
        })
      }
      process.stdout.write(
        grantsDdl({
          database:
            flags.database ?? global.clickhouseDatabase ?? process.env.CLICKHOUSE_DATABASE ?? 'default',
          role: flags.role,
          ...(global.cluster ? { cluster: global.cluster } : {}),
          maxExecutionTimeS: positive(flags.maxExecutionTime, '--max-execution-time'),
          maxResultRows: positive(flags.maxResultRows, '--max-result-rows'),
          maxMemoryBytes: positive(flags.maxMemoryBytes, '--max-memory-bytes'),
          ...(flags.user !== undefined && password
            ? { user: { name: flags.user, passwordSha256Hex: sha256Hex(password) } }
            : {}),
        }),
      )
    })
}

function positive(value: string, flag: string): number {
  const number = Number(value)
  if (!Number.isInteger(number) || number <= 0)
    throw new UsageError(`${flag} must be a whole number above 0: got '${value}'`)
  return number
}
