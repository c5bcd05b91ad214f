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

export const warehouseConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('embedded'), dataDir: z.string().min(1), cluster: z.undefined().optional() }),
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
