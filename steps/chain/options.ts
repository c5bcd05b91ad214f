// The chain step's settings: flags (`--from-block`, `--to-block`, `--confirmations`, `--shard`,
// `--rate rpc=…`, `--rpc-url`, repeatable) over environment (POLYGON_RPC_URL, POLYGON_RPC_URLS,
// POLYHOUSE_RATE) over defaults, all validated by one zod schema whose messages are what the user reads.
import { z } from 'zod'
import { parseShard, type Shard } from '../../checkpoints/range-set.ts'
import { parseOrUsageError } from '../../core/config.ts'
import { PolyhouseError } from '../../core/errors.ts'
import { redactUrl } from '../../core/redact.ts'
import { DEFAULT_CONFIRMATIONS_POLYGON, V1_DEPLOYMENT_BLOCK } from '../../extract/chain/contracts.ts'
import { maxPauseSchema } from '../../extract/http/config.ts'
import { parseRateSpec, type RateLimit, resolveRateLimits } from '../../extract/http/rates.ts'

/** Flags as the CLI hands them over (strings from commander, or numbers from code). */
export interface ChainFlags {
  /** `--rpc-url`, once or repeated: several endpoints of the same chain share the work. */
  rpcUrl?: string | readonly string[] | undefined
  fromBlock?: string | number | undefined
  toBlock?: string | number | undefined
  confirmations?: string | number | undefined
  shard?: string | undefined
  /** `--rate` spec; only its `rpc` family matters here. */
  rate?: string | undefined
  /** `--max-pause 2m`: the longest wait the endpoint's Retry-After may impose. */
  maxPause?: string | undefined
  /** Ranges in flight at once (default RANGE_CONCURRENCY). */
  concurrency?: string | number | undefined
}

const wholeNumber = (flag: string) =>
  z.union([z.number(), z.string().trim()]).transform((value, ctx) => {
    const n =
      typeof value === 'number'
        ? value
        : /^\d+$/.test(value.replace(/_/g, ''))
          ? Number(value.replace(/_/g, ''))
          : Number.NaN
    if (!Number.isSafeInteger(n) || n < 0) {
      ctx.addIssue({ code: 'custom', message: `${flag} must be a whole number ≥ 0: got '${value}'` })
      return z.NEVER
    }
    return n
  })

const NO_RPC_URL =
  'POLYGON_RPC_URL is not set; give a Polygon JSON-RPC endpoint with --rpc-url or POLYGON_RPC_URL (e.g. https://polygon-rpc.com), several with --rpc-url repeated or POLYGON_RPC_URLS (comma-separated)'

const rpcUrl = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    let parsed: URL | undefined
    try {
      parsed = new URL(value)
    } catch {}
    if (!parsed || !/^https?:$/.test(parsed.protocol)) {
      ctx.addIssue({
        code: 'custom',
        message: `POLYGON_RPC_URL is not an http(s) URL: got '${redactUrl(value)}'; try https://polygon-rpc.com or http://127.0.0.1:8545`,
      })
    }
  })

/** One endpoint or several; the same URL twice would only split one endpoint's limit in two. */
const rpcUrls = z
  .array(rpcUrl, { error: NO_RPC_URL })
  .min(1, NO_RPC_URL)
  .transform((urls) => [...new Set(urls)])

const shard = z.string().transform((value, ctx): Shard => {
  try {
    return parseShard(value)
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: error instanceof PolyhouseError ? error.userMessage() : String(error),
    })
    return z.NEVER
  }
})

const rpcRate = z.string().transform((spec, ctx): RateLimit => {
  try {
    return resolveRateLimits(parseRateSpec(spec)).rpc as RateLimit
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: error instanceof PolyhouseError ? error.userMessage() : String(error),
    })
    return z.NEVER
  }
})

/** The block flags, apart from the endpoint: what a run checks even when no chain step runs. */
const blockFields = {
  fromBlock: wholeNumber('--from-block').default(V1_DEPLOYMENT_BLOCK),
  /** Absent: the tip minus the confirmations, read when the run starts. */
  toBlock: wholeNumber('--to-block').optional(),
  confirmations: wholeNumber('--confirmations').default(DEFAULT_CONFIRMATIONS_POLYGON),
  shard: shard.default({ index: 1, count: 1 }),
  rpcRate: rpcRate.prefault(''),
  /** Absent: MAX_PAUSE_MS (extract/http/failure.ts). */
  maxPauseMs: maxPauseSchema.optional(),
  concurrency: wholeNumber('--concurrency')
    .refine((n) => n >= 1 && n <= 64, '--concurrency must be between 1 and 64')
    .optional(),
}

function toBlockNotBelowFrom(
  options: { fromBlock: number; toBlock?: number | undefined },
  ctx: z.RefinementCtx,
): void {
  if (options.toBlock !== undefined && options.toBlock < options.fromBlock) {
    ctx.addIssue({
      code: 'custom',
      message: `--to-block ${options.toBlock} is below --from-block ${options.fromBlock}`,
    })
  }
}

export const chainOptionsSchema = z.object({ rpcUrls, ...blockFields }).superRefine(toBlockNotBelowFrom)

const blockFlagsSchema = z
  .object({ rpcUrls: rpcUrls.optional(), ...blockFields })
  .superRefine(toBlockNotBelowFrom)

export type ChainOptions = z.output<typeof chainOptionsSchema>

/**
 * Flags first, then POLYGON_RPC_URL and POLYGON_RPC_URLS (both, in that order), POLYHOUSE_RATE and
 * POLYHOUSE_MAX_PAUSE, then defaults; a UsageError names what is wrong.
 */
export function resolveChainOptions(
  flags: ChainFlags = {},
  env: NodeJS.ProcessEnv = process.env,
  defaults: { fromBlock?: number } = {},
): ChainOptions {
  return parseOrUsageError(chainOptionsSchema, chainInput(flags, env, defaults))
}

/**
 * Checks the block flags of a run in which no chain step runs (`backfill --steps markets
 * --from-block x`): a value given is a value meant, so a bad one is refused all the same. The
 * endpoint is checked only when given as a flag; POLYGON_RPC_URL is not read.
 */
export function checkBlockFlags(flags: ChainFlags = {}, env: NodeJS.ProcessEnv = process.env): void {
  const { POLYHOUSE_RATE, POLYHOUSE_MAX_PAUSE } = env
  parseOrUsageError(blockFlagsSchema, chainInput(flags, { POLYHOUSE_RATE, POLYHOUSE_MAX_PAUSE }, {}))
}

function chainInput(flags: ChainFlags, env: NodeJS.ProcessEnv, defaults: { fromBlock?: number }) {
  const blank = (value: string | number | undefined) =>
    value === undefined || (typeof value === 'string' && value.trim() === '') ? undefined : value
  return {
    rpcUrls: rpcUrlsOf(flags.rpcUrl, env),
    fromBlock: blank(flags.fromBlock) ?? defaults.fromBlock,
    toBlock: blank(flags.toBlock),
    confirmations: blank(flags.confirmations),
    shard: blank(flags.shard),
    rpcRate: blank(flags.rate) ?? blank(env.POLYHOUSE_RATE),
    maxPauseMs: blank(flags.maxPause) ?? blank(env.POLYHOUSE_MAX_PAUSE),
    concurrency: blank(flags.concurrency),
  }
}

/**
 * `--rpc-url` given (once or more) wins; else POLYGON_RPC_URL, then each of POLYGON_RPC_URLS
 * (comma-separated; blanks between commas are skipped). Undefined when neither says anything.
 */
function rpcUrlsOf(flag: ChainFlags['rpcUrl'], env: NodeJS.ProcessEnv): string[] | undefined {
  const nonBlank = (values: readonly (string | undefined)[]) =>
    values.filter((value): value is string => value !== undefined && value.trim() !== '')
  const flags = nonBlank(typeof flag === 'string' ? [flag] : (flag ?? []))
  if (flags.length) return flags
  const fromEnv = nonBlank([env.POLYGON_RPC_URL, ...(env.POLYGON_RPC_URLS ?? '').split(',')])
  return fromEnv.length ? fromEnv : undefined
}
