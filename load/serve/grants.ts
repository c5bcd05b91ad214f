// `polyhouse grants --print`: the DDL a ClickHouse server's admin applies to give analysts what
// `polyhouse serve` gives them on the embedded warehouse — read-only access to polyhouse's database,
// bounded queries, and a quota — as a role, a settings profile and a quota.
//
// readonly = 2, not 1: Grafana's ClickHouse plugin sets max_execution_time on every query, and a
// readonly = 1 user may change no setting at all ("Cannot modify 'max_execution_time' setting in
// readonly mode", grafana/clickhouse-datasource#325). With 2, settings may be changed within the
// profile's MIN/MAX constraints, and readonly itself not at all. MIN 1 matters: 0 means "no limit",
// and 0 is below every MAX.
import { UsageError } from '../../core/errors.ts'
import { DEFAULT_MAX_EXECUTION_TIME_S, DEFAULT_MAX_RESULT_ROWS } from './options.ts'

export const DEFAULT_ROLE = 'polyhouse_analyst'
/** Memory one analyst query may use on the server: 10 GB, what ClickHouse's stock users.xml gave its default profile. */
export const DEFAULT_MAX_MEMORY_BYTES = 10_000_000_000
/** Queries one analyst may run at once; the 20 of the dashboard scenario. */
export const DEFAULT_MAX_CONCURRENT_QUERIES_FOR_USER = 20

export interface GrantsOptions {
  database: string
  role?: string
  cluster?: string
  maxExecutionTimeS?: number
  maxResultRows?: number
  maxMemoryBytes?: number
  /** Also create this user with the role as its default. The password arrives hashed. */
  user?: { name: string; passwordSha256Hex: string }
}

/** System tables the BI tools read to list databases, tables and columns. */
const CATALOG_TABLES = ['databases', 'tables', 'columns', 'functions']

export function grantsDdl(options: GrantsOptions): string {
  const role = identifier(options.role ?? DEFAULT_ROLE, '--role')
  const database = identifier(options.database, '--database')
  const onCluster = options.cluster ? ` ON CLUSTER '${identifier(options.cluster, '--cluster')}'` : ''
  const maxExecutionTime = options.maxExecutionTimeS ?? DEFAULT_MAX_EXECUTION_TIME_S
  const maxResultRows = options.maxResultRows ?? DEFAULT_MAX_RESULT_ROWS
  const maxMemory = options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES
  const statements = [
    `-- polyhouse grants: read-only analysts of ${database} (apply with the server's admin account).
CREATE ROLE IF NOT EXISTS ${role}${onCluster};`,
    `CREATE SETTINGS PROFILE OR REPLACE ${role}${onCluster}
SETTINGS
    readonly = 2 CONST,
    allow_ddl = 0 CONST,
    allow_introspection_functions = 0 CONST,
    max_execution_time = ${maxExecutionTime} MIN 1 MAX ${maxExecutionTime},
    max_result_rows = ${maxResultRows} MIN 1 MAX ${maxResultRows},
    max_memory_usage = ${maxMemory} MIN 1 MAX ${maxMemory},
    max_concurrent_queries_for_user = ${DEFAULT_MAX_CONCURRENT_QUERIES_FOR_USER} MIN 1 MAX ${DEFAULT_MAX_CONCURRENT_QUERIES_FOR_USER}
TO ${role};`,
    `CREATE QUOTA OR REPLACE ${role}${onCluster}
KEYED BY user_name
FOR INTERVAL 1 minute MAX queries = 600, errors = 100,
FOR INTERVAL 1 hour MAX queries = 10000, result_rows = 1000000000, read_rows = 100000000000, execution_time = 3600
TO ${role};`,
    `GRANT${onCluster} SELECT ON ${database}.* TO ${role};`,
    ...CATALOG_TABLES.map((table) => `GRANT${onCluster} SELECT ON system.${table} TO ${role};`),
  ]
  if (options.user) {
    const user = quotedName(options.user.name)
    if (!/^[0-9a-f]{64}$/.test(options.user.passwordSha256Hex))
      throw new UsageError('the password hash must be 64 hex digits')
    statements.push(
      `CREATE USER IF NOT EXISTS ${user}${onCluster} IDENTIFIED WITH sha256_hash BY '${options.user.passwordSha256Hex}';`,
      `GRANT${onCluster} ${role} TO ${user};`,
      `ALTER USER ${user}${onCluster} DEFAULT ROLE ${role};`,
    )
  }
  return `${statements.join('\n\n')}\n`
}

function identifier(name: string, flag: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new UsageError(`${flag} must be a plain identifier (letters, digits, underscore): got '${name}'`)
  }
  return name
}

/** User names may hold `.`, `@` and `-` (alice@example.com): backquoted then. */
function quotedName(name: string): string {
  if (!/^[\w.@-]+$/.test(name))
    throw new UsageError(`--user must be letters, digits and . _ @ -: got '${name}'`)
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `\`${name}\``
}
