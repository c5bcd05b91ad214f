// The migrator: applies pending sql/ files statement by statement, then (re)applies views whose
// text or dependencies changed. Like kysely's migrator it returns a result and never throws half-way;
// like Atlas it records progress per statement, so a failed file resumes at the failed statement.
import path from 'node:path'
import { MigrationError, PolyhouseError } from '../core/errors.ts'
import { ensureLedger, type LedgerEntry, ledgerKey, readLedger, writeLedger } from './ledger.ts'
import { acquireMigrationLock } from './migration-lock.ts'
import { loadMigrations, loadViews, type MigrationFile, type ViewFile } from './migrations.ts'
import { renderSql, sha256 } from './sql-text.ts'
import type { Warehouse } from './warehouse.ts'

export interface MigrateOptions {
  dryRun?: boolean
  sqlDir?: string
  viewsDir?: string
  /** Re-apply every view even when unchanged (`views rebuild`). */
  rebuildViews?: boolean
  lockWaitMs?: number
}

export interface PlannedStep {
  kind: 'migration' | 'view'
  name: string
  file: string
  /** Index of the first statement still to run (non-zero when resuming a failed file). */
  fromStatement: number
  /** The rendered statements still to run. */
  statements: string[]
  /** For views: the checksum of the text and everything it depends on. */
  checksum: string
  /** For views: the views it reads. */
  dependsOn: string[]
}

export interface MigrateResult {
  planned: PlannedStep[]
  applied: PlannedStep[]
  /** A migration failed: later migrations and all views were not applied. */
  error?: PolyhouseError
  /** Views that failed to apply (later migrations are unaffected). */
  viewErrors: { name: string; message: string }[]
}

export async function migrate(warehouse: Warehouse, options: MigrateOptions = {}): Promise<MigrateResult> {
  const result: MigrateResult = { planned: [], applied: [], viewErrors: [] }
  try {
    const migrations = loadMigrations(options.sqlDir)
    const views = loadViews(options.viewsDir)
    await ensureLedger(warehouse)
    result.planned = plan(migrations, views, await readLedger(warehouse), warehouse.cluster, options)
    if (result.planned.length === 0 || options.dryRun) return result

    const release = await acquireMigrationLock(warehouse, options.lockWaitMs)
    try {
      // Another process may have applied some of it while we waited for the lock.
      result.planned = plan(migrations, views, await readLedger(warehouse), warehouse.cluster, options)
      await apply(warehouse, result, migrations)
    } finally {
      await release()
    }
  } catch (error) {
    result.error =
      error instanceof PolyhouseError
        ? error
        : new MigrationError(String((error as Error)?.message ?? error), { cause: error })
  }
  return result
}

/** What remains to run, given the files on disk and the ledger. Throws on an edited applied file. */
export function plan(
  migrations: MigrationFile[],
  views: ViewFile[],
  ledger: Map<string, LedgerEntry>,
  cluster: string | undefined,
  options: Pick<MigrateOptions, 'rebuildViews'> = {},
): PlannedStep[] {
  const steps: PlannedStep[] = []
  for (const migration of migrations) {
    const entry = ledger.get(ledgerKey('migration', migration.name))
    const fromStatement = resumePoint(migration, entry)
    if (fromStatement === undefined) continue
    steps.push({
      kind: 'migration',
      name: migration.name,
      file: migration.file,
      fromStatement,
      statements: migration.statements.slice(fromStatement).map((sql) => renderSql(sql, { cluster })),
      checksum: migration.checksum,
      dependsOn: [],
    })
  }
  // A view's checksum covers its text, the views it reads and the table migrations, so a change to
  // any of them re-applies it (Flyway's repeatable scripts, extended to dependencies).
  const tablesFingerprint = sha256(migrations.map((migration) => migration.checksum).join(','))
  const effective = new Map<string, string>()
  for (const view of views) {
    const checksum = sha256(
      [view.checksum, tablesFingerprint, ...view.dependsOn.map((name) => effective.get(name))].join(','),
    )
    effective.set(view.name, checksum)
    const entry = ledger.get(ledgerKey('view', view.name))
    if (!options.rebuildViews && entry?.status === 'applied' && entry.checksum === checksum) continue
    steps.push({
      kind: 'view',
      name: view.name,
      file: view.file,
      fromStatement: 0,
      statements: [renderSql(view.sql, { cluster })],
      checksum,
      dependsOn: view.dependsOn,
    })
  }
  return steps
}

function resumePoint(migration: MigrationFile, entry: LedgerEntry | undefined): number | undefined {
  const file = `sql/${path.basename(migration.file)}`
  if (!entry) return 0
  if (entry.status === 'applied') {
    if (entry.checksum === migration.checksum) return undefined
    throw new MigrationError(`${file} was changed after it was applied`, {
      hint: 'applied migrations are immutable: restore the file (git checkout) and put the change in a new sql/NNN_name.sql',
    })
  }
  const applied = entry.statements_applied
  const changed = entry.statement_hashes
    .slice(0, applied)
    .findIndex((hash, i) => hash !== migration.statementHashes[i])
  if (changed !== -1) {
    throw new MigrationError(`${file} was changed in statement ${changed + 1}, which was already applied`, {
      hint: `only statements after ${applied} may change before the file completes; restore statement ${changed + 1}`,
    })
  }
  return applied
}

async function apply(
  warehouse: Warehouse,
  result: MigrateResult,
  migrations: MigrationFile[],
): Promise<void> {
  const byName = new Map(migrations.map((migration) => [migration.name, migration]))
  const failedViews = new Set<string>()
  for (const step of result.planned) {
    const started = Date.now()
    if (step.kind === 'migration') {
      const migration = byName.get(step.name) as MigrationFile
      const record = (applied: number, status: LedgerEntry['status'], error = '') =>
        writeLedger(warehouse, {
          kind: 'migration',
          version: migration.version,
          name: migration.name,
          checksum: migration.checksum,
          statements_total: migration.statements.length,
          statements_applied: applied,
          statement_hashes: migration.statementHashes.slice(0, applied),
          status,
          error,
          duration_ms: Date.now() - started,
        })
      for (const [offset, statement] of step.statements.entries()) {
        const index = step.fromStatement + offset
        try {
          await warehouse.command(statement)
        } catch (error) {
          const message = firstLine(error)
          await record(index, 'failed', message)
          result.error = new MigrationError(
            `sql/${path.basename(step.file)} failed at statement ${index + 1} of ${migration.statements.length}: ${message}`,
            {
              hint: `fix that statement and run \`polyhouse migrate\` again; it resumes at statement ${index + 1}`,
              cause: error,
            },
          )
          return
        }
        const done = index + 1
        await record(done, done === migration.statements.length ? 'applied' : 'running')
      }
    } else {
      const blocked = step.dependsOn.find((name) => failedViews.has(name))
      try {
        if (blocked) throw new MigrationError(`depends on ${blocked}, which failed`)
        await warehouse.command(step.statements[0] as string)
        await writeLedger(warehouse, viewEntry(step, 'applied', '', Date.now() - started))
      } catch (error) {
        failedViews.add(step.name)
        const message = firstLine(error)
        result.viewErrors.push({ name: step.name, message })
        await writeLedger(warehouse, viewEntry(step, 'failed', message, Date.now() - started))
        continue
      }
    }
    result.applied.push(step)
  }
}

function viewEntry(step: PlannedStep, status: LedgerEntry['status'], error: string, durationMs: number) {
  return {
    kind: 'view' as const,
    version: 0,
    name: step.name,
    checksum: step.checksum,
    statements_total: 1,
    statements_applied: status === 'applied' ? 1 : 0,
    statement_hashes: [sha256(step.statements[0] as string)],
    status,
    error,
    duration_ms: durationMs,
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0]?.trim() ?? message
}
