// Configuration: flags override environment variables, and one zod schema validates both.
// Its messages are what the user reads, so each names the setting and shows a fix.
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
  /** --memory-limit: a size like 600M or 2G that caps the embedded engine's process. */
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

/** Flags first, then the environment, then defaults. */
export function resolveWarehouseConfig(
  flags: WarehouseOptions,
  env: NodeJS.ProcessEnv = process.env,
): WarehouseConfig {
  const url = flags.clickhouseUrl ?? env.CLICKHOUSE_URL
  const input = url
    ? {
        kind: 'server' as const,
        url,
        user: flags.clickhouseUser ?? env.CLICKHOUSE_USER,
        password: flags.clickhousePassword ?? env.CLICKHOUSE_PASSWORD,
        database: flags.clickhouseDatabase ?? env.CLICKHOUSE_DATABASE,
        cluster: flags.cluster,
      }
    : {
        kind: 'embedded' as const,
        dataDir: path.resolve(flags.dataDir ?? path.join(env.POLYHOUSE_HOME ?? DEFAULT_HOME, 'warehouse')),
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
  return parseOrUsageError(warehouseConfigSchema, input)
}

/** Validates with a schema and turns its first failure into one readable UsageError. */
export function parseOrUsageError<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const messages = result.error.issues.map((issue) => issue.message)
  throw new UsageError(messages.join('; '))
}
