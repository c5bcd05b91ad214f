// A mutex for migrations that ClickHouse itself arbitrates: CREATE TABLE without IF NOT EXISTS
// succeeds for exactly one caller. The table's comment names the owner so a dead one can be broken.
import os from 'node:os'
import { MigrationError } from '../core/errors.ts'
import { clickhouseErrorCode, type Warehouse } from './warehouse.ts'

export const LOCK_TABLE = 'polyhouse_migration_lock'
/** How long a second migrator waits for the first before giving up. */
export const LOCK_WAIT_MS = 120_000
/** A lock older than this is presumed abandoned (no migration of ours runs for an hour). */
export const LOCK_STALE_MS = 3_600_000
const LOCK_POLL_MS = 250
const TABLE_ALREADY_EXISTS = '57'

interface LockOwner {
  pid: number
  host: string
  at: number
}

export async function acquireMigrationLock(
  warehouse: Warehouse,
  waitMs: number = LOCK_WAIT_MS,
): Promise<() => Promise<void>> {
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), at: Date.now() }
  const deadline = Date.now() + waitMs
  for (;;) {
    try {
      // DDL takes no bound parameters; the comment is our own JSON, quoted here.
      const comment = JSON.stringify(owner).replace(/[\\']/g, (char) => `\\${char}`)
      await warehouse.command(
        `CREATE TABLE ${LOCK_TABLE} (owner String) ENGINE = Memory COMMENT '${comment}'`,
      )
      return async () => {
        await warehouse.command(`DROP TABLE IF EXISTS ${LOCK_TABLE}`)
      }
    } catch (error) {
      if (clickhouseErrorCode(error) !== TABLE_ALREADY_EXISTS) throw error
    }
    const holder = await readOwner(warehouse)
    if (holder && isAbandoned(holder)) {
      await warehouse.command(`DROP TABLE IF EXISTS ${LOCK_TABLE}`)
      continue
    }
    if (Date.now() > deadline) {
      const who = holder
        ? `pid ${holder.pid} on ${holder.host} since ${new Date(holder.at).toISOString()}`
        : 'unknown'
      throw new MigrationError(`another process is migrating this warehouse (${who})`, {
        hint: `wait for it to finish and run the command again; if that process is gone, DROP TABLE ${LOCK_TABLE}`,
      })
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS))
  }
}

async function readOwner(warehouse: Warehouse): Promise<LockOwner | undefined> {
  const rows = await warehouse.query<{ comment: string }>(
    'SELECT comment FROM system.tables WHERE database = currentDatabase() AND name = {name:String}',
    { name: LOCK_TABLE },
  )
  try {
    return rows[0] ? (JSON.parse(rows[0].comment) as LockOwner) : undefined
  } catch {
    return undefined
  }
}

function isAbandoned(owner: LockOwner): boolean {
  if (Date.now() - owner.at > LOCK_STALE_MS) return true
  if (owner.host !== os.hostname() || owner.pid === process.pid) return false
  try {
    process.kill(owner.pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
