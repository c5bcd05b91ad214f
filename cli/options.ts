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
export const rpcUrlOption = (purpose = 'chain and transfers steps') =>
  new Option('--rpc-url <url>', `${purpose}: Polygon JSON-RPC (env POLYGON_RPC_URL)`)
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
    'chain and transfers steps: first block (default: the V1 exchange deployment 33605403 for fills, ConditionalTokens deployment 4023686 for transfers)',
  )
export const toBlockOption = () =>
  new Option(
    '--to-block <n>',
    'chain and transfers steps: last block (default: the tip minus --confirmations)',
  )
export const confirmationsOption = () =>
  new Option(
    '--confirmations <n>',
    'chain and transfers steps: blocks below the tip left unread (default 32; 0 for a local node)',
  )
export const shardOption = () =>
  new Option(
    '--shard <i/n>',
    'chain and transfers steps: take shard i of n of the block space (100,000-block chunks dealt round-robin; several processes need a ClickHouse server)',
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

/** For repeatable options: `--fresh a --fresh b`. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}
