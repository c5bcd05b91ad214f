// The polyhouse program: global options here, one file per command beside this one, each loaded
// only when it runs (cli/commands.ts).
import { Command, CommanderError } from 'commander'
import { commandNamed, registerCommands } from './commands.ts'

/** The program; given the arguments, only the command they name is loaded (cli/commands.ts). */
export async function buildProgram(args?: readonly string[]): Promise<Command> {
  const program = new Command('polyhouse')
    .description('Backfill Polymarket into ClickHouse and build versioned views for analysts')
    .option(
      '--data-dir <dir>',
      'embedded warehouse directory (env POLYHOUSE_HOME=<home> uses <home>/warehouse)',
    )
    .option(
      '--clickhouse-url <url>',
      'use a ClickHouse server instead of the embedded engine (env CLICKHOUSE_URL)',
    )
    .option('--clickhouse-user <user>', 'server user (env CLICKHOUSE_USER)')
    .option('--clickhouse-password <password>', 'server password (env CLICKHOUSE_PASSWORD)')
    .option('--clickhouse-database <name>', 'server database (env CLICKHOUSE_DATABASE)')
    .option('--cluster <name>', 'render DDL with ON CLUSTER and Replicated engines')
    .option(
      '--memory-limit <size>',
      "cap the embedded engine's memory at <size> less 300M for the pipeline (like 1G or 2G; env POLYHOUSE_MEMORY_LIMIT)",
    )
    .option('--sql-dir <dir>', 'migrations folder (default: the sql/ shipped with polyhouse)')
    .option('--views-dir <dir>', 'views folder (default: the views/ shipped with polyhouse)')
    .option('--verbose', 'print stack traces with errors')
    // Commander's own complaints (an unknown command or flag, a missing argument) as one line, like ours.
    .configureOutput({
      outputError: (message, write) =>
        write(
          `polyhouse: ${message
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')} (run with --help for usage)\n`,
        ),
    })
    .exitOverride()
  await registerCommands(program, args)
  return program
}

export async function main(argv: string[]): Promise<number> {
  const args = argv.slice(2)
  const program = await buildProgram(args)
  // Stop signals and the launcher matter to a command that runs, not to help or a usage error.
  if (commandNamed(program, args) !== undefined) (await import('./lifecycle.ts')).superviseProcess()
  try {
    await program.parseAsync(argv)
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not failures; anything else commander rejects is bad usage.
      if (
        error.exitCode === 0 ||
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version'
      )
        return 0
      return 2
    }
    const { reportFailure } = await import('./context.ts')
    return reportFailure(error, program.opts().verbose === true)
  }
}

process.exitCode = await main(process.argv)
