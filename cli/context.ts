// What every command shares: resolving the warehouse from flags and environment, migrating
// before work, closing afterwards, and turning errors into one line and an exit code.
import type { Command } from 'commander'
import {
  checkFolder,
  resolveWarehouseConfig,
  type WarehouseConfig,
  type WarehouseOptions,
} from '../core/config.ts'
import { PolyhouseError } from '../core/errors.ts'
import { redactUrls } from '../core/redact.ts'
import { migrate } from '../load/migrate.ts'
import { openWarehouse, type Warehouse } from '../load/warehouse.ts'

export interface GlobalOptions extends WarehouseOptions {
  sqlDir?: string
  viewsDir?: string
  verbose?: boolean
}

export interface SqlDirs {
  sqlDir?: string
  viewsDir?: string
}

/** The warehouse a command works on and the folders it migrates from, checked. */
export interface WarehouseTarget {
  config: WarehouseConfig
  dirs: SqlDirs
}

/** The sql/ and views/ folders: flags, else the ones shipped with polyhouse. */
export function sqlDirs(command: Command): SqlDirs {
  const { sqlDir, viewsDir } = globalOptions(command)
  return { ...(sqlDir ? { sqlDir } : {}), ...(viewsDir ? { viewsDir } : {}) }
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions
}

/**
 * Checks the global flags and the environment (CLICKHOUSE_URL, the data directory, --sql-dir,
 * --views-dir) without touching anything: a command calls it before its first side effect.
 */
export function warehouseTarget(command: Command): WarehouseTarget {
  const dirs = sqlDirs(command)
  if (dirs.sqlDir !== undefined) checkFolder('--sql-dir', dirs.sqlDir)
  if (dirs.viewsDir !== undefined) checkFolder('--views-dir', dirs.viewsDir)
  return { config: resolveWarehouseConfig(globalOptions(command)), dirs }
}

/**
 * Opens the warehouse, migrates it (a no-op when up to date), runs `work`, always closes. Given the
 * command instead of a checked target, it checks the global flags first.
 */
export async function withWarehouse<T>(
  target: WarehouseTarget | Command,
  work: (warehouse: Warehouse) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const { config, dirs } = 'config' in target ? target : warehouseTarget(target)
  const warehouse = await openWarehouse(config)
  warehouse.onInsertRefused = (table, attempt) =>
    process.stderr.write(
      `polyhouse: warning: the engine refused an insert into ${table} for lack of memory (attempt ${attempt}); it is tried again once the merges beside it end\n`,
    )
  try {
    if (options.migrate !== false) {
      const result = await migrate(warehouse, dirs)
      if (result.error) throw result.error
      for (const failure of result.viewErrors) {
        process.stderr.write(
          `polyhouse: warning: view ${failure.name} could not be applied: ${failure.message}\n`,
        )
      }
    }
    return await work(warehouse)
  } finally {
    await warehouse.close()
  }
}

/** Prints one line (and the stack with --verbose) and returns the exit code. */
export function reportFailure(error: unknown, verbose: boolean): number {
  if (error instanceof PolyhouseError) {
    // URLs keep their host only, whatever built the message (core/redact.ts).
    process.stderr.write(`polyhouse: ${redactUrls(error.userMessage())}\n`)
    if (verbose)
      process.stderr.write(
        `${error.stack}\n${error.cause ? `cause: ${String((error.cause as Error).stack ?? error.cause)}\n` : ''}`,
      )
    return error.exitCode
  }
  const message = error instanceof Error ? error.message : String(error)
  process.stderr.write(`polyhouse: ${redactUrls(message.split('\n')[0] ?? '')}\n`)
  if (verbose && error instanceof Error) process.stderr.write(`${error.stack}\n`)
  else process.stderr.write('(run with --verbose for details)\n')
  return 1
}
