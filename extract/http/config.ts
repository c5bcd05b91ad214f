// Where the APIs live and how fast to call them: flags override environment variables, one zod
// schema validates both, and its messages are what the user reads.
import { z } from 'zod'
import { parseOrUsageError } from '../../core/config.ts'
import { parseDuration } from '../../core/duration.ts'
import { PolyhouseError } from '../../core/errors.ts'
import { redactUrl } from '../../core/redact.ts'
import { MAX_PAUSE_MS } from './failure.ts'
import { parseRateSpec, type RateLimit, resolveRateLimits } from './rates.ts'

export const DEFAULT_GAMMA_URL = 'https://gamma-api.polymarket.com'
export const DEFAULT_DATA_API_URL = 'https://data-api.polymarket.com'

export interface HttpConfigFlags {
  gammaUrl?: string
  dataApiUrl?: string
  /** `--rate data-api=10/s,gamma=300/10s,rpc=25/s` */
  rate?: string
  /** `--max-pause 2m`: the longest wait a server's Retry-After may impose. */
  maxPause?: string
}

export interface HttpConfig {
  /** Base URLs without a trailing slash: append `/markets/keyset`. */
  gammaUrl: string
  dataApiUrl: string
  /** The limit of every endpoint family: the documented defaults, overridden by `--rate`. */
  rateLimits: Record<string, RateLimit>
  /** The longest pause a Retry-After may impose on a family (MAX_PAUSE_MS unless configured). */
  maxPauseMs: number
}

/** Where the user sets the URL of each family's source, for hints (`check --gamma-url or GAMMA_URL`). */
export function urlSettingOf(family: string): string | undefined {
  if (family.startsWith('gamma')) return '--gamma-url or GAMMA_URL'
  if (family.startsWith('data-api')) return '--data-api-url or DATA_API_URL'
  if (family === 'rpc') return '--rpc-url or POLYGON_RPC_URL'
  return undefined
}

const baseUrl = (name: string, example: string) =>
  z.string().transform((value, ctx) => {
    let parsed: URL | undefined
    try {
      parsed = new URL(value)
    } catch {}
    if (!parsed || !/^https?:$/.test(parsed.protocol)) {
      // Shown without path, query or credentials: a key may sit in any of them (core/redact.ts).
      const hint = /^[\w.-]+(:\d+)?(\/.*)?$/.test(value) ? `https://${redactUrl(value)}` : example
      ctx.addIssue({
        code: 'custom',
        message: `${name} is not an http(s) URL: got '${redactUrl(value)}'; try ${hint}`,
      })
      return z.NEVER
    }
    return value.replace(/\/+$/, '')
  })

const rateSpec = z.string().transform((spec, ctx) => {
  try {
    return resolveRateLimits(parseRateSpec(spec))
  } catch (error) {
    if (!(error instanceof PolyhouseError)) throw error
    ctx.addIssue({ code: 'custom', message: error.userMessage() })
    return z.NEVER
  }
})

/** `--max-pause` / POLYHOUSE_MAX_PAUSE: a duration (`90s`, `2m`), at least a second. */
export const maxPauseSchema = z.string().transform((text, ctx) => {
  try {
    const ms = parseDuration(text, '--max-pause')
    if (ms >= 1_000) return ms
    ctx.addIssue({
      code: 'custom',
      message: `--max-pause ${text} is shorter than a second; e.g. --max-pause 2m`,
    })
  } catch (error) {
    if (!(error instanceof PolyhouseError)) throw error
    ctx.addIssue({ code: 'custom', message: error.userMessage() })
  }
  return z.NEVER
})

export const httpConfigSchema = z.object({
  gammaUrl: baseUrl('GAMMA_URL', DEFAULT_GAMMA_URL).default(DEFAULT_GAMMA_URL),
  dataApiUrl: baseUrl('DATA_API_URL', DEFAULT_DATA_API_URL).default(DEFAULT_DATA_API_URL),
  rateLimits: rateSpec.prefault(''),
  maxPauseMs: maxPauseSchema.optional().transform((ms) => ms ?? MAX_PAUSE_MS),
})

/**
 * Flags first (`--gamma-url`, `--data-api-url`, `--rate`, `--max-pause`), then GAMMA_URL,
 * DATA_API_URL, POLYHOUSE_RATE, POLYHOUSE_MAX_PAUSE, then defaults.
 */
export function resolveHttpConfig(
  flags: HttpConfigFlags = {},
  env: NodeJS.ProcessEnv = process.env,
): HttpConfig {
  return parseOrUsageError(httpConfigSchema, {
    gammaUrl: nonEmpty(flags.gammaUrl) ?? nonEmpty(env.GAMMA_URL),
    dataApiUrl: nonEmpty(flags.dataApiUrl) ?? nonEmpty(env.DATA_API_URL),
    rateLimits: flags.rate ?? env.POLYHOUSE_RATE,
    maxPauseMs: nonEmpty(flags.maxPause) ?? nonEmpty(env.POLYHOUSE_MAX_PAUSE),
  })
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}
