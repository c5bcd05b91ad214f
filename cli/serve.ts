// polyhouse serve: the embedded warehouse over ClickHouse's HTTP interface, read-only by default.
// Prints the URL it listens on as the first line of stdout; one line per query goes to stderr.
import type { Command } from 'commander'
import { InterruptedError, UsageError } from '../core/errors.ts'
import { readUsersFile, type ServeUser, sha256Hex } from '../load/serve/auth.ts'
import {
  DEFAULT_HOST,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_CONCURRENT_QUERIES,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_EXECUTION_TIME_S,
  DEFAULT_MAX_RESULT_ROWS,
  DEFAULT_MAX_RUNNING_QUERIES,
  DEFAULT_PORT,
  DEFAULT_QUEUE_WAIT_S,
  type QueryLogEntry,
  resolveServeOptions,
  type ServeOptions,
} from '../load/serve/options.ts'
import { startServer } from '../load/serve/server.ts'
import { warehouseTarget, withWarehouse } from './context.ts'

interface ServeFlags {
  host: string
  port: string
  allowWrites?: boolean
  user?: string
  password?: string
  usersFile?: string
  maxExecutionTime: string
  maxResultRows: string
  maxBodyBytes: string
  maxConcurrentQueries: string
  maxRunningQueries?: string
  queueWait: string
  maxMemoryUsage?: string
  maxThreads?: string
  maxConnections: string
  quiet?: boolean
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      "serve the embedded warehouse to ClickHouse clients over ClickHouse's HTTP interface (read-only)",
    )
    .option(
      '--host <host>',
      'address to listen on; any but loopback needs --user/--password or --users-file',
      DEFAULT_HOST,
    )
    .option('--port <port>', 'port to listen on (0 picks a free one)', String(DEFAULT_PORT))
    .option('--allow-writes', 'let callers INSERT and run DDL (read-only otherwise)')
    .option('--user <name>', 'require this user (with --password)')
    .option(
      '--password <password>',
      'its password; env POLYHOUSE_SERVE_PASSWORD keeps it out of the process list',
    )
    .option('--users-file <file>', 'JSON users: {"users": {"alice": {"password_sha256_hex": "…"}}}')
    .option('--max-execution-time <seconds>', 'longest a query may run', String(DEFAULT_MAX_EXECUTION_TIME_S))
    .option('--max-result-rows <rows>', 'most rows a result may have', String(DEFAULT_MAX_RESULT_ROWS))
    .option('--max-body-bytes <bytes>', 'largest request body (413 past it)', String(DEFAULT_MAX_BODY_BYTES))
    .option(
      '--max-concurrent-queries <n>',
      'queries at once (503 past it)',
      String(DEFAULT_MAX_CONCURRENT_QUERIES),
    )
    .option(
      '--max-running-queries <n>',
      `analyst queries in the engine at once; more wait (default ${DEFAULT_MAX_RUNNING_QUERIES}, fewer on a small UV_THREADPOOL_SIZE or with fewer cores than 5)`,
    )
    .option(
      '--queue-wait <seconds>',
      'longest a query waits to run (503 past it)',
      String(DEFAULT_QUEUE_WAIT_S),
    )
    .option(
      '--max-memory-usage <bytes>',
      'memory one analyst query may use (default: ¼ of RAM over the running queries)',
    )
    .option(
      '--max-threads <n>',
      'threads one analyst query may use (default: all cores but one, over the running queries)',
    )
    .option(
      '--max-connections <n>',
      'open client connections (more are closed)',
      String(DEFAULT_MAX_CONNECTIONS),
    )
    .option('--quiet', 'no line per query on stderr')
    .action(async (flags: ServeFlags, command: Command) => {
      const users = serveUsers(flags)
      const target = warehouseTarget(command)
      if (target.config.kind === 'server') {
        throw new UsageError(
          'polyhouse serve shares an embedded warehouse, and CLICKHOUSE_URL points at a server',
          {
            hint: 'connect ClickHouse clients to that server directly (`polyhouse grants --print` makes a read-only analyst role); unset CLICKHOUSE_URL to serve the embedded one',
          },
        )
      }
      const options: ServeOptions = {
        host: flags.host,
        port: Number(flags.port),
        allowWrites: flags.allowWrites === true,
        users,
        maxExecutionTimeS: Number(flags.maxExecutionTime),
        maxResultRows: Number(flags.maxResultRows),
        maxBodyBytes: Number(flags.maxBodyBytes),
        maxConcurrentQueries: Number(flags.maxConcurrentQueries),
        ...(flags.maxRunningQueries === undefined
          ? {}
          : { maxRunningQueries: Number(flags.maxRunningQueries) }),
        queueWaitS: Number(flags.queueWait),
        ...(flags.maxMemoryUsage === undefined ? {} : { maxMemoryUsage: Number(flags.maxMemoryUsage) }),
        ...(flags.maxThreads === undefined ? {} : { maxThreads: Number(flags.maxThreads) }),
        maxConnections: Number(flags.maxConnections),
        ...(flags.quiet ? {} : { onQuery: logQuery }),
      }
      resolveServeOptions(options) // bad flags fail here, before the warehouse is opened or created
      await withWarehouse(target, async (warehouse) => {
        const server = await startServer(warehouse, options)
        process.stdout.write(`${server.url}\n`)
        const access = `${flags.allowWrites ? 'writes allowed' : 'read-only'}, ${
          users.length > 0
            ? `${users.length} user${users.length === 1 ? '' : 's'}`
            : 'user default without password'
        }`
        process.stderr.write(
          `polyhouse: serving ${warehouse.location} at ${server.url} (${access}); Ctrl-C stops\n`,
        )
        await untilSignal()
        process.stderr.write('polyhouse: stopping: letting running queries finish\n')
        await server.close()
        // Serving ends only when asked to: an interrupted command, as the README's exit codes say.
        process.exitCode = new InterruptedError('interrupted').exitCode
      })
    })
}

function serveUsers(flags: ServeFlags): ServeUser[] {
  const users = flags.usersFile ? readUsersFile(flags.usersFile) : []
  const password = flags.password ?? process.env.POLYHOUSE_SERVE_PASSWORD
  if (flags.user !== undefined && password === undefined) {
    throw new UsageError(`--user ${flags.user} needs a password`, {
      hint: 'give --password or set POLYHOUSE_SERVE_PASSWORD',
    })
  }
  if (password !== undefined) {
    if (password === '')
      throw new UsageError('the serve password is empty', { hint: 'choose a non-empty password' })
    users.push({ name: flags.user ?? 'default', passwordSha256Hex: sha256Hex(password) })
  }
  return users
}

function logQuery(entry: QueryLogEntry): void {
  const code = entry.errorCode === undefined ? '' : ` code=${entry.errorCode}`
  process.stderr.write(
    `polyhouse serve: ${entry.queryId || '-'} user=${entry.user} ${entry.kind || '-'} ${entry.status}${code} rows=${entry.resultRows} bytes=${entry.resultBytes} ms=${entry.elapsedMs}\n`,
  )
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}
