// The steps a backfill can run, in the order it runs them. Two stages, so that bad input is refused
// before anything is touched: resolveStepConfig checks every flag (those of steps not selected too:
// a value given is a value meant) and the environment the selected steps read, and reads the
// --wallets file; createSteps only builds. The steps share one HTTP client, so each endpoint family
// has one limiter for the whole run.
import { UsageError } from '../core/errors.ts'
import type { DataApiVersion } from '../extract/data-api/positions.ts'
import { readWalletList } from '../extract/data-api/wallet-list.ts'
import { createHttpClient, type HttpClient } from '../extract/http/client.ts'
import { type HttpConfig, type HttpConfigFlags, resolveHttpConfig } from '../extract/http/config.ts'
import { describePause } from '../extract/http/endpoint.ts'
import { createActivityStep, resolveActivityOptions } from './activity/index.ts'
import { createAmmStep, resolveAmmOptions } from './amm/index.ts'
import { type ChainOptions, checkBlockFlags, createChainStep, resolveChainOptions } from './chain/index.ts'
import { createMarketsStep } from './markets/index.ts'
import { createOwnersStep, resolveOwnersOptions } from './owners/index.ts'
import type { Step, StepName } from './step.ts'
import { createTransfersStep, resolveTransfersOptions } from './transfers/index.ts'
import { createViewsStep } from './views.ts'
import { createWalletsStep } from './wallets/index.ts'
import { WALLET_ORDERS, type WalletOrder } from './wallets/seen.ts'

/** The flags of the steps, as commander hands them over (strings). */
export interface StepFlags extends HttpConfigFlags {
  sqlDir?: string
  viewsDir?: string
  /** --wallets FILE: more wallets to fetch, one address a line. */
  wallets?: string
  /** --data-api v1|v2 */
  dataApi?: string
  /** --max-wallets N */
  maxWallets?: string
  /** --wallet-order activity|recent|address */
  walletOrder?: string
  /** Chain-reading steps (chain, transfers, activity, amm, owners): --rpc-url (repeatable), --from-block, --to-block, --confirmations, --shard i/n. */
  rpcUrl?: string | string[]
  fromBlock?: string
  toBlock?: string
  confirmations?: string
  shard?: string
}

/** The wallets step's settings, checked. */
export interface WalletSettings {
  version?: DataApiVersion
  maxWallets?: number
  walletOrder?: WalletOrder
  /** The addresses of --wallets FILE. */
  listed?: string[]
}

/** Everything the selected steps need, checked: building them cannot fail on input. */
export interface StepConfig {
  names: StepName[]
  http: HttpConfig
  /** Present when the chain step runs. */
  chain?: ChainOptions
  /** Present when the transfers step runs. */
  transfers?: ChainOptions
  /** Present when the activity step runs. */
  activity?: ChainOptions
  /** Present when the amm step runs. */
  amm?: ChainOptions
  /** Present when the owners step runs. */
  owners?: ChainOptions
  wallets: WalletSettings
  dirs: { sqlDir?: string; viewsDir?: string }
}

export interface StepSet {
  steps: Step[]
  /** Closes what the steps share (the HTTP client's connections). */
  close(): Promise<void>
}

interface Shared {
  config: StepConfig
  client(): HttpClient
}

const FACTORIES: { name: StepName; create: (shared: Shared) => Step }[] = [
  {
    name: 'markets',
    create: ({ config, client }) =>
      notingPauses(
        createMarketsStep({
          http: client(),
          gammaUrl: config.http.gammaUrl,
          rateLimits: config.http.rateLimits,
        }),
        client(),
      ),
  },
  { name: 'chain', create: ({ config }) => createChainStep(required(config.chain, 'chain')) },
  { name: 'transfers', create: ({ config }) => createTransfersStep(required(config.transfers, 'transfers')) },
  { name: 'activity', create: ({ config }) => createActivityStep(required(config.activity, 'activity')) },
  { name: 'amm', create: ({ config }) => createAmmStep(required(config.amm, 'amm')) },
  { name: 'owners', create: ({ config }) => createOwnersStep(required(config.owners, 'owners')) },
  {
    name: 'wallets',
    create: ({ config, client }) => {
      const { version, maxWallets, walletOrder, listed } = config.wallets
      const step = createWalletsStep({
        http: client(),
        dataApiUrl: config.http.dataApiUrl,
        rateLimits: config.http.rateLimits,
        ...(version ? { version } : {}),
        ...(listed ? { listedWallets: listed } : {}),
        ...(maxWallets !== undefined ? { maxWallets } : {}),
        ...(walletOrder ? { walletOrder } : {}),
      })
      return notingPauses(step, client())
    },
  },
  { name: 'views', create: ({ config }) => createViewsStep(config.dirs) },
]

/**
 * While `step` runs, a long pause of any of the client's families (a server's Retry-After) is a
 * note in that step's log: which family, until when, and why (describePause).
 */
function notingPauses(step: Step, client: HttpClient): Step {
  const run = step.run.bind(step)
  step.run = async (context) => {
    const stop = client.onPause((pause) => context.reporter.note(describePause(pause)))
    try {
      return await run(context)
    } finally {
      stop()
    }
  }
  return step
}

/** The order the overnight run takes: markets first (tokens for the trade views), views last. */
export const STEP_ORDER: readonly StepName[] = FACTORIES.map((factory) => factory.name)

/** Steps that call the HTTP APIs; the others leave GAMMA_URL and DATA_API_URL unread. */
const HTTP_STEPS: readonly StepName[] = ['markets', 'wallets']

/**
 * Checks the flags and the environment of a run of `names`; a UsageError names the first problem.
 * Environment variables are read only for the steps that use them (POLYGON_RPC_URL for the chain,
 * transfers, activity and amm steps, GAMMA_URL and DATA_API_URL for markets and wallets): one a run never reads
 * cannot be wrong for it.
 */
export function resolveStepConfig(
  names: readonly StepName[],
  flags: StepFlags,
  env: NodeJS.ProcessEnv = process.env,
): StepConfig {
  const usesHttp = names.some((name) => HTTP_STEPS.includes(name))
  const { POLYHOUSE_RATE, POLYHOUSE_MAX_PAUSE } = env
  const http = resolveHttpConfig(flags, usesHttp ? env : { POLYHOUSE_RATE, POLYHOUSE_MAX_PAUSE })
  const { rpcUrl, fromBlock, toBlock, confirmations, shard, rate, maxPause } = flags
  const blockFlags = { rpcUrl, fromBlock, toBlock, confirmations, shard, rate, maxPause }
  const chain = names.includes('chain') ? resolveChainOptions(blockFlags, env) : undefined
  const transfers = names.includes('transfers') ? resolveTransfersOptions(blockFlags, env) : undefined
  const activity = names.includes('activity') ? resolveActivityOptions(blockFlags, env) : undefined
  const amm = names.includes('amm') ? resolveAmmOptions(blockFlags, env) : undefined
  const owners = names.includes('owners') ? resolveOwnersOptions(blockFlags, env) : undefined
  if (!chain && !transfers && !activity && !amm && !owners) checkBlockFlags(blockFlags, env)
  return {
    names: [...names],
    http,
    ...(chain ? { chain } : {}),
    ...(transfers ? { transfers } : {}),
    ...(activity ? { activity } : {}),
    ...(amm ? { amm } : {}),
    ...(owners ? { owners } : {}),
    wallets: resolveWalletSettings(flags),
    dirs: {
      ...(flags.sqlDir ? { sqlDir: flags.sqlDir } : {}),
      ...(flags.viewsDir ? { viewsDir: flags.viewsDir } : {}),
    },
  }
}

export function resolveWalletSettings(flags: StepFlags): WalletSettings {
  const { dataApi, maxWallets, walletOrder, wallets } = flags
  const settings: WalletSettings = {}
  if (dataApi !== undefined) settings.version = parseDataApiVersion(dataApi)
  if (maxWallets !== undefined) {
    if (!/^\d+$/.test(maxWallets.trim().replace(/_/g, ''))) {
      throw new UsageError(`--max-wallets ${maxWallets} is not a whole number`, {
        hint: 'e.g. --max-wallets 20000',
      })
    }
    settings.maxWallets = Number(maxWallets.trim().replace(/_/g, ''))
  }
  if (walletOrder !== undefined) {
    if (!(WALLET_ORDERS as readonly string[]).includes(walletOrder)) {
      throw new UsageError(`--wallet-order ${walletOrder} is not an order`, {
        hint: `use ${WALLET_ORDERS.join(', ')} (activity: most chain rows first)`,
      })
    }
    settings.walletOrder = walletOrder as WalletOrder
  }
  if (wallets !== undefined) settings.listed = readWalletList(wallets)
  return settings
}

export function parseDataApiVersion(value: string): DataApiVersion {
  if (value === 'v1' || value === 'v2') return value
  throw new UsageError(`--data-api ${value} is not a Data API version`, { hint: 'use v1 or v2' })
}

/** Builds the steps of a checked configuration; nothing here reads flags or the environment. */
export function createSteps(config: StepConfig): StepSet {
  let http: HttpClient | undefined
  const shared: Shared = {
    config,
    client: () => {
      http ??= createHttpClient({
        rateLimits: config.http.rateLimits,
        maxPauseMs: config.http.maxPauseMs,
      })
      return http
    },
  }
  const steps = FACTORIES.filter((factory) => config.names.includes(factory.name)).map((factory) =>
    factory.create(shared),
  )
  return {
    steps,
    close: async () => {
      await http?.close()
    },
  }
}

function required<T>(value: T | undefined, step: StepName): T {
  if (value === undefined) throw new Error(`the ${step} step was not in the configuration it was built from`)
  return value
}
