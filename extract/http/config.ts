// Where the APIs live and how fast to call them: flags override environment variables, one zod
// schema validates both, and its messages are what the user reads.
import { z } from 'zod'
import { parseOrUsageError } from '../../core/config.ts'
import { PolyhouseError } from '../../core/errors.ts'
import { parseRateSpec, type RateLimit, resolveRateLimits } from './rates.ts'

export const DEFAULT_GAMMA_URL = 'https://gamma-api.polymarket.com'
export const DEFAULT_DATA_API_URL = 'https://data-api.polymarket.com'

export interface HttpConfigFlags {
  gammaUrl?: string
  dataApiUrl?: string
  /** `--rate data-api=10/s,gamma=300/10s,rpc=25/s` */
  rate?: string
}

export interface HttpConfig {
  /** Base URLs without a trailing slash: append `/markets/keyset`. */
  gammaUrl: string
  dataApiUrl: string
  /** The limit of every endpoint family: the documented defaults, overridden by `--rate`. */
  rateLimits: Record<string, RateLimit>
}

const baseUrl = (name: string, example: string) =>
  z.string().transform((value, ctx) => {
    let parsed: URL | undefined
    try {
      parsed = new URL(value)
    } catch {}
    if (!parsed || !/^https?:$/.test(parsed.protocol)) {
      const hint = /^[\w.-]+(:\d+)?(\/.*)?$/.test(value) ? `https://${value}` : example
      ctx.addIssue({ code: 'custom', message: `${name} is not an http(s) URL: got '${value}'; try ${hint}` })
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

export const httpConfigSchema = z.object({
  gammaUrl: baseUrl('GAMMA_URL', DEFAULT_GAMMA_URL).default(DEFAULT_GAMMA_URL),
  dataApiUrl: baseUrl('DATA_API_URL', DEFAULT_DATA_API_URL).default(DEFAULT_DATA_API_URL),
  rateLimits: rateSpec.prefault(''),
})

/** Flags first (`--gamma-url`, `--data-api-url`, `--rate`), then GAMMA_URL, DATA_API_URL, POLYHOUSE_RATE, then defaults. */
export function resolveHttpConfig(
  flags: HttpConfigFlags = {},
  env: NodeJS.ProcessEnv = process.env,
): HttpConfig {
  return parseOrUsageError(httpConfigSchema, {
    gammaUrl: nonEmpty(flags.gammaUrl) ?? nonEmpty(env.GAMMA_URL),
    dataApiUrl: nonEmpty(flags.dataApiUrl) ?? nonEmpty(env.DATA_API_URL),
    rateLimits: flags.rate ?? env.POLYHOUSE_RATE,
  })
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}
