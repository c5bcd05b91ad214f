// What the long runs (backfill, sync) share besides their flags (cli/options.ts): serving the
// warehouse to analysts while they write, and stopping cleanly on a signal.
import { InterruptedError, UsageError } from '../core/errors.ts'
import { sha256Hex } from '../load/serve/auth.ts'
import { startServer } from '../load/serve/server.ts'
import type { Warehouse } from '../load/warehouse.ts'
import type { WarehouseTarget } from './context.ts'
import type { ProgressBoard } from './progress.ts'

/** `--serve` shares an embedded warehouse; a server is shared by ClickHouse itself. */
export function checkServable(target: WarehouseTarget): void {
  if (target.config.kind !== 'embedded') {
    throw new UsageError('--serve shares an embedded warehouse, and CLICKHOUSE_URL points at a server', {
      hint: 'connect ClickHouse clients to that server directly, or leave out --serve',
    })
  }
}

/** `--serve`: analysts query the warehouse over ClickHouse's HTTP interface while the run writes. */
export async function serveWhileRunning(warehouse: Warehouse, port: number) {
  const password = process.env.POLYHOUSE_SERVE_PASSWORD
  const server = await startServer(warehouse, {
    port,
    ...(password ? { users: [{ name: 'default', passwordSha256Hex: sha256Hex(password) }] } : {}),
  })
  process.stderr.write(`polyhouse: serving ${warehouse.location} read-only at ${server.url}\n`)
  return server
}

/** SIGHUP is ignored (nohup); the first SIGINT/SIGTERM stops taking units, a second exits at once. */
export function watchSignals(controller: AbortController, board: ProgressBoard): () => void {
  const ignore = () => {}
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      // Still safe: nothing is recorded done before ClickHouse acknowledged it.
      process.exit(130)
    }
    board.log(
      'warn',
      `${signal}: finishing in-flight units and committing checkpoints (send again to exit now)`,
    )
    controller.abort(new InterruptedError(signal))
  }
  process.on('SIGHUP', ignore)
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return () => {
    process.off('SIGHUP', ignore)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
