// Every command, by name, and the file that defines it. A command's file, with all it imports (the
// engine, viem, the HTTP stack, zod schemas), is loaded only when that command runs: `polyhouse
// --help` and `polyhouse query` start in a fraction of the time loading them all takes. So that the
// top-level help lists every command without loading it, the table repeats each one's usage and
// summary; test/cli/commands.test.ts holds them to what the files declare.
import { type Command, Help } from 'commander'

interface CommandEntry {
  /** What follows the name in the top-level help: `[options]` and the arguments. */
  usage: string
  summary: string
  load: () => Promise<(program: Command) => void>
}

export const COMMANDS: Record<string, CommandEntry> = {
  migrate: {
    usage: '[options]',
    summary: 'apply pending sql/ migrations and changed views (every other command does this first)',
    load: async () => (await import('./migrate.ts')).registerMigrate,
  },
  backfill: {
    usage: '[options]',
    summary:
      'run every step in order (markets, chain, transfers, activity, amm, owners, wallets, views), each resuming where it stopped',
    load: async () => (await import('./backfill.ts')).registerBackfill,
  },
  sync: {
    usage: '[options]',
    summary:
      'keep the warehouse current: each poller on its own cadence until SIGINT/SIGTERM, or one pass with --once',
    load: async () => (await import('./sync.ts')).registerSync,
  },
  views: {
    usage: '',
    summary: 'manage the views in views/',
    load: async () => (await import('./views.ts')).registerViews,
  },
  status: {
    usage: '[options]',
    summary:
      'the morning read: each step done/total, last run, errors, quarantine, orphans, block gaps, wallets, views',
    load: async () => (await import('./status.ts')).registerStatus,
  },
  stop: {
    usage: '[options]',
    summary:
      'stop the process holding the embedded warehouse (SIGTERM: it commits and exits 130; SIGKILL after --timeout)',
    load: async () => (await import('./stop.ts')).registerStop,
  },
  gaps: {
    usage: '[options]',
    summary:
      'list missing block ranges (grouped), orphan markets, markets missing tokens, wallets without positions',
    load: async () => (await import('./gaps.ts')).registerGaps,
  },
  repair: {
    usage: '[options]',
    summary: 'fetch exactly what `polyhouse gaps` lists: missing block ranges, markets, wallets',
    load: async () => (await import('./repair.ts')).registerRepair,
  },
  report: {
    usage: '[options]',
    summary: 'write the run as one self-contained HTML page: coverage, rows, throughput, errors',
    load: async () => (await import('./report.ts')).registerReport,
  },
  query: {
    usage: '[options] <sql>',
    summary:
      'run SQL against the warehouse, read-only unless --write; bind values with {name:Type} and --param name=value',
    load: async () => (await import('./query.ts')).registerQuery,
  },
  market: {
    usage: '[options] <market>',
    summary: 'fetch one market from Gamma now, store it and print it',
    load: async () => (await import('./market.ts')).registerMarket,
  },
  wallet: {
    usage: '[options] <address>',
    summary: "fetch one wallet's positions from the Data API now, store them and print them",
    load: async () => (await import('./wallet.ts')).registerWallet,
  },
  simulate: {
    usage: '[options]',
    summary: 'serve a seeded fake Polymarket (Gamma, Data API, Polygon RPC) on localhost until Ctrl-C',
    load: async () => (await import('./simulate.ts')).registerSimulate,
  },
  serve: {
    usage: '[options]',
    summary:
      "serve the embedded warehouse to ClickHouse clients over ClickHouse's HTTP interface (read-only)",
    load: async () => (await import('./serve.ts')).registerServe,
  },
  grants: {
    usage: '[options]',
    summary: 'print DDL for a read-only analyst role, profile and quota on a ClickHouse server',
    load: async () => (await import('./grants.ts')).registerGrants,
  },
}

/**
 * Defines on `program` the command the arguments name, and lists every other one by name, usage
 * and summary (enough for the top-level help and for commander to suggest one for a typo).
 * Without arguments, defines them all.
 */
export async function registerCommands(program: Command, args?: readonly string[]): Promise<void> {
  const names = Object.keys(COMMANDS)
  const named = args === undefined ? undefined : commandNamed(program, args)
  const loaded = args === undefined ? names : names.filter((name) => name === named)
  const registers = new Map(
    await Promise.all(loaded.map(async (name) => [name, await COMMANDS[name]?.load()] as const)),
  )
  const listedTerms = new WeakMap<Command, string>()
  program.configureHelp({
    subcommandTerm: (command) => listedTerms.get(command) ?? new Help().subcommandTerm(command),
  })
  for (const [name, entry] of Object.entries(COMMANDS)) {
    const register = registers.get(name)
    if (register) {
      register(program)
      continue
    }
    const listed = program
      .command(name)
      .summary(entry.summary)
      .action(() => {
        throw new Error(`polyhouse ${name} ran without its definition loaded`)
      })
    listedTerms.set(listed, `${name} ${entry.usage}`.trim())
  }
}

/**
 * The command the arguments name, if it is one of ours: the first argument that is neither a global
 * option nor its value (`polyhouse --data-dir d query …`), or the one after `help` (`help query`).
 */
export function commandNamed(program: Command, args: readonly string[]): string | undefined {
  const name = firstOperand(program, args)
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? name : undefined
}

function firstOperand(program: Command, args: readonly string[]): string | undefined {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string
    if (arg === '--') return args[index + 1]
    if (!arg.startsWith('-')) return arg === 'help' ? args[index + 1] : arg
    const option = program.options.find((candidate) => candidate.long === arg || candidate.short === arg)
    if (option?.required) index++
  }
  return undefined
}
