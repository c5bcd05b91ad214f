// One Gamma record validated on its own, so a drifted record is quarantined and its page goes on.
import type { z } from 'zod'
import type { Validated } from './keyset.ts'
import { type GammaEvent, type GammaMarket, gammaEventSchema, gammaMarketSchema } from './schemas.ts'

export function parseMarket(raw: unknown): Validated<GammaMarket> {
  return validate(gammaMarketSchema, raw)
}

export function parseEvent(raw: unknown): Validated<GammaEvent> {
  return validate(gammaEventSchema, raw)
}

/** Validates one record; a failure carries every issue as the reason and the record's id as its key. */
export function validate<T>(schema: z.ZodType<T>, raw: unknown): Validated<T> {
  const result = schema.safeParse(raw)
  if (result.success) return { ok: true, value: result.data, raw }
  const reason = result.error.issues
    .map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`)
    .join('; ')
  const id = (raw as { id?: unknown } | null)?.id
  return {
    ok: false,
    reason,
    raw,
    ...(typeof id === 'string' || typeof id === 'number' ? { key: String(id) } : {}),
  }
}
