// On demand (the original pollers' "Get Prices"): one market or one wallet fetched now, upserted
// through the same rows and checkpoint rules as the backfill, and returned for printing.
import { HttpStatusError, PolyhouseError, UsageError } from '../core/errors.ts'
import { escapeForTerminal, isWalletAddress } from '../extract/data-api/wallet-list.ts'
import type { Validated } from '../extract/gamma/keyset.ts'
import { parseMarket } from '../extract/gamma/records.ts'
import { type GammaMarket, gammaListSchema } from '../extract/gamma/schemas.ts'
import type { HttpClient } from '../extract/http/client.ts'
import type { StepContext } from './step.ts'
import { upsertChanged } from './sync/changes.ts'
import { fetchWallet } from './wallets/index.ts'

export type MarketKey =
  | { kind: 'id'; id: string }
  | { kind: 'condition'; conditionId: string }
  | { kind: 'slug'; slug: string }
  /** An outcome token id (decimal), as fills and positions name it: `repair` asks Gamma by it. */
  | { kind: 'token'; tokenId: string }

export function parseMarketKey(text: string): MarketKey {
  const key = text.trim()
  if (/^\d+$/.test(key)) return { kind: 'id', id: key }
  if (/^0x[0-9a-fA-F]{64}$/.test(key)) return { kind: 'condition', conditionId: key.toLowerCase() }
  if (/^[a-z0-9][a-z0-9-]*$/i.test(key)) return { kind: 'slug', slug: key }
  throw new UsageError(`'${escapeForTerminal(text)}' is not a market`, {
    hint: 'give a Gamma id (540816), a condition id (0x + 64 hex) or a slug (will-x-happen)',
  })
}

/**
 * Fetches one market from Gamma and returns it, storing it (with its tokens, tags and event title)
 * only when it differs from the version stored: sync's change test (sync/changes.ts), so asking
 * about an unchanged market writes nothing.
 */
export async function fetchMarketNow(
  context: StepContext,
  options: { http: HttpClient; gammaUrl: string },
  key: MarketKey,
): Promise<{ market: GammaMarket; stored: boolean }> {
  const record = await fetchMarketRecord(options, key, context.signal)
  const changes = await upsertChanged(context, 'markets', `on-demand ${JSON.stringify(key)} @${Date.now()}`, [
    record,
  ])
  if (!record.ok)
    throw new UsageError(`Gamma's answer for that market failed validation: ${record.reason}`, {
      hint: 'the raw record is in etl_quarantine (stream markets)',
    })
  return { market: record.value, stored: changes.upserted > 0 }
}

/** Fetches one market from Gamma and validates it, storing nothing (`repair` decides what to keep). */
export async function fetchMarketRecord(
  options: { http: HttpClient; gammaUrl: string },
  key: MarketKey,
  signal: AbortSignal,
): Promise<Validated<GammaMarket>> {
  const url =
    key.kind === 'id'
      ? `${options.gammaUrl}/markets/${key.id}`
      : key.kind === 'slug'
        ? `${options.gammaUrl}/markets/slug/${encodeURIComponent(key.slug)}`
        : key.kind === 'token'
          ? `${options.gammaUrl}/markets?clob_token_ids=${key.tokenId}`
          : `${options.gammaUrl}/markets?condition_ids=${key.conditionId}`
  let raw: unknown
  try {
    raw = await options.http.fetchJson('gamma-markets', url, { signal })
  } catch (error) {
    if (error instanceof HttpStatusError && error.status === 404) throw notFound(key)
    throw error
  }
  if (key.kind === 'condition' || key.kind === 'token') {
    const list = gammaListSchema.parse(raw)
    if (list.length === 0) throw notFound(key)
    raw = list[0]
  }
  return parseMarket(raw)
}

/** A wallet address as typed, lower-cased; a UsageError for anything else. */
export function parseWalletAddress(text: string): string {
  if (!isWalletAddress(text)) {
    throw new UsageError(`'${escapeForTerminal(text)}' is not a wallet address`, {
      hint: 'give 0x followed by 40 hex digits',
    })
  }
  return text.toLowerCase()
}

/**
 * Fetches every position of one wallet now, stores the snapshot and records the wallet fetched;
 * returns how many positions the snapshot holds (0: the Data API lists none).
 */
export async function fetchWalletNow(
  context: StepContext,
  options: { http: HttpClient; dataApiUrl: string },
  address: string,
): Promise<number> {
  const wallet = parseWalletAddress(address)
  const [known] = await context.warehouse.query<{ source: string; first_seen_block: string }>(
    'SELECT source, toString(first_seen_block) AS first_seen_block FROM wallets FINAL WHERE wallet = {wallet:String}',
    { wallet },
  )
  const progress: { done: number; total: number; rows: number; failures: { unit: string; error: string }[] } =
    {
      done: 0,
      total: 1,
      rows: 0,
      failures: [],
    }
  await fetchWallet(
    context,
    options,
    { wallet, source: known?.source ?? 'on-demand', first_seen_block: known?.first_seen_block ?? '0' },
    progress,
  )
  const [failure] = progress.failures
  // fetchWallet recorded the failure in etl_errors; the command ends on it.
  if (failure) {
    throw new PolyhouseError(failure.error, {
      hint: "the wallet's snapshot was not stored; run the command again later",
    })
  }
  return progress.rows
}

function notFound(key: MarketKey): UsageError {
  const what =
    key.kind === 'id'
      ? `id ${key.id}`
      : key.kind === 'slug'
        ? `slug ${key.slug}`
        : key.kind === 'token'
          ? `token id ${key.tokenId}`
          : `condition id ${key.conditionId}`
  return new UsageError(`Gamma has no market with ${what}`, { hint: 'check the id, slug or condition id' })
}
