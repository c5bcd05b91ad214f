// Configuration: flags override environment variables, and one zod schema validates both.
// Its messages are what the user reads, so each names the setting and shows a fix.
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { UsageError } from './errors.ts'
import { redactUrl } from './redact.ts'

/** Where the embedded warehouse lives unless POLYHOUSE_HOME or --data-dir say otherwise. */
export const DEFAULT_HOME = '.polyhouse'

export interface WarehouseOptions {
  dataDir?: string
  clickhouseUrl?: string
  clickhouseUser?: string
  clickhousePassword?: string
  clickhouseDatabase?: string
  cluster?: string
  /** --memory-limit: a size like 1G or 2G; the embedded engine gets it less the process's reserve. */
  memoryLimit?: string
}

const httpUrl = (name: string) =>
  z.string().superRefine((value, ctx) => {
    let parsed: URL | undefined
    try {
      parsed = new URL(value)
    } catch {}
    if (!parsed || !/^https?:$/.test(parsed.protocol)) {
      const hint = /^[\w.-]+(:\d+)?$/.test(value)
        ? `try http://${value.includes(':') ? value : `${value}:8123`}`
        : 'try http://localhost:8123'
      ctx.addIssue({ code: 'custom', message: `${name} is not a URL: got '${redactUrl(value)}'; ${hint}` })
    }
  })

const identifier = (name: string) =>
  z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, `${name} must be a plain identifier (letters, digits, underscore)`)

/** Units --memory-limit accepts, in bytes: K/M/G/T, binary (a trailing B or iB is allowed). */
const SIZE_UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }
/**
 * The least --memory-limit that leaves the engine room to work: loading chDB alone takes ~250 MiB
 * of resident memory (its code and static data, before any query; measured with chDB 3.4 / 26.7),
 * and the pipeline's own heap and buffers come on top.
 */
export const MIN_MEMORY_LIMIT_BYTES = 400 * 2 ** 20

/** A size like 600M, 2G, 1.5GiB or 805306368 in bytes; undefined when it is not one. */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(text)
  if (!match) return undefined
  const unit = SIZE_UNITS[(match[2] ?? '').toUpperCase()] ?? 1
  return Math.floor(Number(match[1]) * unit)
}

const memoryLimit = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (text === undefined) return undefined
    const bytes = parseSize(text)
    if (bytes === undefined || bytes < MIN_MEMORY_LIMIT_BYTES) {
      ctx.addIssue({
        code: 'custom',
        message: `--memory-limit must be a size of at least ${MIN_MEMORY_LIMIT_BYTES / 2 ** 20}M, like 600M or 2G: got '${text}'`,
      })
      return z.NEVER
    }
    return bytes
  })

export const warehouseConfigSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('embedded'),
    dataDir: z.string().min(1),
    cluster: z.undefined().optional(),
    /** The cap on the process's memory the engine is sized for (--memory-limit), in bytes. */
    memoryLimitBytes: memoryLimit.optional(),
  }),
  z.object({
    kind: z.literal('server'),
    url: httpUrl('CLICKHOUSE_URL'),
    user: z.string().default('default'),
    password: z.string().default(''),
    database: identifier('CLICKHOUSE_DATABASE').default('default'),
    cluster: identifier('--cluster').optional(),
  }),
])

export type WarehouseConfig = z.infer<typeof warehouseConfigSchema>

/**
 * Flags first, then the environment, then defaults. An empty variable counts as unset; an empty
 * flag is a mistake. The embedded data directory is checked here too (checkDataDir), so a command
 * refuses a directory it could never use before it creates or migrates anything.
 */
export function resolveWarehouseConfig(
  flags: WarehouseOptions,
  env: NodeJS.ProcessEnv = process.env,
): WarehouseConfig {
  if (flags.dataDir !== undefined && flags.dataDir.trim() === '') {
    throw new UsageError('--data-dir is empty', {
      hint: `give a directory (polyhouse creates it), or leave the flag out for ${path.join(DEFAULT_HOME, 'warehouse')}`,
    })
  }
  const url = flags.clickhouseUrl ?? nonEmpty(env.CLICKHOUSE_URL)
  const input = url
    ? {
        kind: 'server' as const,
        url,
        user: flags.clickhouseUser ?? nonEmpty(env.CLICKHOUSE_USER),
        password: flags.clickhousePassword ?? env.CLICKHOUSE_PASSWORD,
        database: flags.clickhouseDatabase ?? nonEmpty(env.CLICKHOUSE_DATABASE),
        cluster: flags.cluster,
      }
    : {
        kind: 'embedded' as const,
        dataDir: path.resolve(
          flags.dataDir ?? path.join(nonEmpty(env.POLYHOUSE_HOME) ?? DEFAULT_HOME, 'warehouse'),
        ),
        cluster: flags.cluster,
        memoryLimitBytes: flags.memoryLimit ?? env.POLYHOUSE_MEMORY_LIMIT,
      }
  if (input.kind === 'server' && flags.memoryLimit !== undefined) {
    throw new UsageError('--memory-limit sizes the embedded engine, and CLICKHOUSE_URL points at a server', {
      hint: 'size the server with its own max_server_memory_usage, or unset CLICKHOUSE_URL to use the embedded engine',
    })
  }
  if (input.kind === 'embedded' && input.cluster !== undefined) {
    throw new UsageError(`--cluster ${input.cluster} needs a ClickHouse server`, {
      hint: 'set CLICKHOUSE_URL (or --clickhouse-url), or use --dry-run to print the cluster DDL',
    })
  }
  const config = parseOrUsageError(warehouseConfigSchema, input)
  if (config.kind === 'embedded') checkDataDir(config.dataDir)
  return config
}

const DATA_DIR_HINT = 'choose another with --data-dir (or POLYHOUSE_HOME)'

/**
 * Refuses a data directory polyhouse could not use, without creating anything: an existing path
 * must be a directory it may write; a new one needs its nearest existing parent to be a directory
 * it may write. `access` sees a read-only mount (EROFS) and, for users other than root, missing
 * permissions; what it cannot see (root in a folder the kernel still refuses, like /proc) fails
 * when the directory is created, with the same kind of message (dataDirError).
 */
export function checkDataDir(dataDir: string): void {
  const existing = statOrUndefined(dataDir)
  if (existing) {
    if (!existing.isDirectory()) {
      throw new UsageError(
        `the data directory ${dataDir} is ${existing.isFile() ? 'a file, not a directory' : 'not a directory'}`,
        { hint: DATA_DIR_HINT },
      )
    }
    const denied = writeDenied(dataDir)
    if (denied)
      throw new UsageError(`cannot write to the data directory ${dataDir} (${denied})`, {
        hint: `${DATA_DIR_HINT}, or make it writable`,
      })
    return
  }
  let parent = path.dirname(dataDir)
  let stat = statOrUndefined(parent)
  while (!stat && path.dirname(parent) !== parent) {
    parent = path.dirname(parent)
    stat = statOrUndefined(parent)
  }
  if (stat && !stat.isDirectory()) {
    throw new UsageError(
      `cannot create the data directory ${dataDir}: ${parent} is ${stat.isFile() ? 'a file, not a directory' : 'not a directory'}`,
      { hint: DATA_DIR_HINT },
    )
  }
  const denied = writeDenied(parent)
  if (denied)
    throw new UsageError(
      `cannot create the data directory ${dataDir}: ${parent} is not writable (${denied})`,
      {
        hint: DATA_DIR_HINT,
      },
    )
}

/** The error of creating or opening a data directory, as the one line a user reads (exit code 2). */
export function dataDirError(dataDir: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code
  return new UsageError(
    `cannot create the data directory ${dataDir} (${code ? (ERRNO_WORDS[code] ?? code) : String(error)})`,
    { hint: DATA_DIR_HINT, cause: error },
  )
}

/** Checks an existing folder given by a flag (`--sql-dir`, `--views-dir`). */
export function checkFolder(flag: string, dir: string): void {
  const stat = statOrUndefined(dir)
  if (!stat)
    throw new UsageError(`${flag} ${dir} does not exist`, {
      hint: `give an existing folder, or leave ${flag} out for the one shipped with polyhouse`,
    })
  if (!stat.isDirectory())
    throw new UsageError(`${flag} ${dir} is not a folder`, { hint: `give the folder that holds the files` })
}

const ERRNO_WORDS: Record<string, string> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'a parent folder cannot be created there',
  ENOTDIR: 'a parent is not a directory',
  EEXIST: 'a file is in the way',
  ENOSPC: 'no space left on the device',
}

function writeDenied(dir: string): string | undefined {
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK)
    return undefined
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error'
    return ERRNO_WORDS[code] ?? code
  }
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file)
  } catch {
    return undefined
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}

/** Validates with a schema and turns its first failure into one readable UsageError. */
export function parseOrUsageError<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const messages = result.error.issues.map((issue) => issue.message)
  throw new UsageError(messages.join('; '))
}
