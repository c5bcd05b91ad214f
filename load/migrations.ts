// Reading sql/ and views/ from disk: numbered, immutable migrations and repeatable views ordered by
// what they reference. Pure apart from reading files.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { MigrationError, UsageError } from '../core/errors.ts'
import { sha256, splitStatements, stripComments } from './sql-text.ts'

/**
 * The folder holding polyhouse's package.json: this module runs from load/ (tsx) or from a bundle
 * under dist/<build>/ (bin/build.mjs), at different depths.
 */
const PROJECT_ROOT = packageRoot(path.dirname(fileURLToPath(import.meta.url)))
export const DEFAULT_SQL_DIR = path.join(PROJECT_ROOT, 'sql')
export const DEFAULT_VIEWS_DIR = path.join(PROJECT_ROOT, 'views')

function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir
    if (path.dirname(dir) === dir) return path.resolve(from, '..')
  }
}

export interface MigrationFile {
  version: number
  name: string
  file: string
  checksum: string
  statements: string[]
  statementHashes: string[]
}

export interface ViewFile {
  name: string
  file: string
  checksum: string
  sql: string
  /** Other views this one reads, by name. */
  dependsOn: string[]
}

export function loadMigrations(dir: string = DEFAULT_SQL_DIR): MigrationFile[] {
  const files = listSql(dir)
  const byVersion = new Map<number, string>()
  const migrations = files.map((file) => {
    const match = /^(\d{3,})_([a-z0-9_]+)\.sql$/.exec(file)
    if (!match) {
      throw new UsageError(`sql/${file} is not named NNN_name.sql`, {
        hint: 'rename it like 013_add_column.sql (digits, underscore, lower-case name)',
      })
    }
    const version = Number(match[1])
    const clash = byVersion.get(version)
    if (clash)
      throw new UsageError(`sql/${file} and sql/${clash} share version ${version}; renumber one of them`)
    byVersion.set(version, file)
    const text = fs.readFileSync(path.join(dir, file), 'utf8')
    const statements = splitStatements(text)
    if (statements.length === 0) throw new UsageError(`sql/${file} holds no SQL statement`)
    return {
      version,
      name: file.replace(/\.sql$/, ''),
      file: path.join(dir, file),
      checksum: sha256(text),
      statements,
      statementHashes: statements.map(sha256),
    }
  })
  return migrations.sort((a, b) => a.version - b.version)
}

/** Views in dependency order (a view after every view it reads); a cycle is an error naming it. */
export function loadViews(dir: string = DEFAULT_VIEWS_DIR): ViewFile[] {
  const views = listSql(dir).map((file) => {
    const sql = fs.readFileSync(path.join(dir, file), 'utf8')
    const name = /CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?`?(\w+)`?/i.exec(
      stripComments(sql),
    )?.[1]
    if (!name) throw new UsageError(`views/${file} does not start with CREATE OR REPLACE VIEW <name>`)
    if (`${name}.sql` !== file)
      throw new UsageError(`views/${file} defines ${name}; name the file ${name}.sql`)
    if (splitStatements(sql).length !== 1)
      throw new UsageError(`views/${file} must hold exactly one statement`)
    return { name, file: path.join(dir, file), checksum: sha256(sql), sql, dependsOn: [] as string[] }
  })
  const names = new Set(views.map((view) => view.name))
  for (const view of views) {
    const body = stripComments(view.sql)
    view.dependsOn = [...names].filter(
      (other) => other !== view.name && new RegExp(`\\b${other}\\b`).test(body),
    )
  }
  return orderByDependencies(views)
}

export function orderByDependencies<T extends { name: string; dependsOn: string[] }>(views: T[]): T[] {
  const byName = new Map(views.map((view) => [view.name, view]))
  const ordered: T[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (view: T, trail: string[]) => {
    if (state.get(view.name) === 'done') return
    if (state.get(view.name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(view.name)), view.name]
      throw new MigrationError(`views reference each other in a cycle: ${cycle.join(' -> ')}`, {
        hint: 'break the cycle by editing one of these views',
      })
    }
    state.set(view.name, 'visiting')
    for (const dependency of [...view.dependsOn].sort()) {
      const target = byName.get(dependency)
      if (target) visit(target, [...trail, view.name])
    }
    state.set(view.name, 'done')
    ordered.push(view)
  }
  for (const view of [...views].sort((a, b) => a.name.localeCompare(b.name))) visit(view, [])
  return ordered
}

function listSql(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
}
