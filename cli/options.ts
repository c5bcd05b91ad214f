// Options more than one command takes, defined once so every command says and accepts the same,
// and the parsers of values only the CLI has (log format, serve port). Each command checks all its
// flags before it touches anything; the checks of step flags are the library's (steps/registry.ts).
import { Option } from 'commander'
import { UsageError } from '../core/errors.ts'
import { DEFAULT_PORT } from '../load/serve/options.ts'
import type { LogFormat } from './progress.ts'

/** Where the sources are and how fast to call them. */
export const gammaUrlOption = () => new Option('--gamma-url <url>', 'Gamma API (env GAMMA_URL)')
export const dataApiUrlOption = () => new Option('--data-api-url <url>', 'Data API (env DATA_API_URL)')
/** Repeatable: several endpoints of the same chain share the work (steps/block-ranges/workers.ts). */
export const rpcUrlOption = (purpose = 'chain, transfers, activity, amm and owners steps') =>
  new Option(
    '--rpc-url <url>',
    `${purpose}: Polygon JSON-RPC; repeat for several endpoints sharing the work (env POLYGON_RPC_URL, POLYGON_RPC_URLS comma-separated)`,
  ).argParser(collect)
export const rateOption = (purpose = 'rate limits') =>
  new Option('--rate <spec>', `${purpose}, e.g. data-api=10/s,gamma=300/10s,rpc=25/s (env POLYHOUSE_RATE)`)

export const maxPauseOption = () =>
  new Option(
    '--max-pause <duration>',
    "longest wait a server's Retry-After may impose, e.g. 2m (default 1m; env POLYHOUSE_MAX_PAUSE)",
  )

/** The block-range steps (chain, transfers). */
export const fromBlockOption = () =>
  new Option(
    '--from-block <n>',
    'chain-reading steps: first block (default: the V1 exchange deployment 33605403 for fills, ConditionalTokens deployment 4023686 for transfers and activity, the FPMM factory deployment 4023693 for amm, the proxy wallet factory deployment 4022827 for owners)',
  )
export const toBlockOption = () =>
  new Option(
    '--to-block <n>',
    'chain, transfers and amm steps: last block (default: the tip minus --confirmations)',
  )
export const confirmationsOption = () =>
  new Option(
    '--confirmations <n>',
    'chain, transfers and amm steps: blocks below the tip left unread (default 32; 0 for a local node)',
  )
export const shardOption = () =>
  new Option(
    '--shard <i/n>',
    'chain, transfers and amm steps: take shard i of n of the block space (100,000-block chunks dealt round-robin; several processes need a ClickHouse server)',
  )

/** The wallets step. */
export const walletsFileOption = () =>
  new Option('--wallets <file>', 'wallets step: also fetch these wallets (one 0x address a line)')
export const dataApiOption = () =>
  new Option('--data-api <version>', 'wallets step: v1 (offset pages) or v2 (cursor pages)').default('v1')
export const maxWalletsOption = () =>
  new Option('--max-wallets <n>', 'wallets step: fetch at most N wallets this run; the rest stay queued')
export const walletOrderOption = () =>
  new Option(
    '--wallet-order <order>',
    'wallets step: activity (most chain rows first, default), recent (newest activity first) or address',
  )

/** Long runs (backfill, sync). */
export const logFormatOption = () => new Option('--log-format <format>', 'text | json').default('text')
export const serveOption = () =>
  new Option(
    '--serve [port]',
    `serve the warehouse read-only to ClickHouse clients while it runs (port ${DEFAULT_PORT})`,
  )

/** Printed results (query, wallet). */
export const outputFormatOption = () =>
  new Option('-f, --format <format>', 'table | json | csv | tsv').default('table')

export function parseLogFormat(value: string): LogFormat {
  if (value === 'text' || value === 'json') return value
  throw new UsageError(`--log-format ${value} is not supported`, { hint: 'use text or json' })
}

/** `--serve [PORT]`: true without a port. */
export function parseServePort(serve: string | boolean): number {
  if (serve === true) return DEFAULT_PORT
  const port = /^\d+$/.test(String(serve)) ? Number(serve) : Number.NaN
  if (!Number.isInteger(port) || port > 65_535) {
    throw new UsageError(`--serve ${serve} is not a port`, { hint: `e.g. --serve ${DEFAULT_PORT}` })
  }
  return port
}

/** For repeatable options: `--fresh a --fresh b` (no default: the first value starts the list). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}
