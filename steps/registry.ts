// The steps a backfill can run, in the order it runs them, built from the command's flags. The
// steps share one HTTP client, so each endpoint family has one limiter for the whole run.
import { UsageError } from '../core/errors.ts'
import { createHttpClient, type HttpClient } from '../extract/http/client.ts'
import { type HttpConfigFlags, resolveHttpConfig } from '../extract/http/config.ts'
import { describePause } from '../extract/http/endpoint.ts'
import { createAmmStep, resolveAmmOptions } from './amm/index.ts'
import { createChainStep, resolveChainOptions } from './chain.ts'
import { createMarketsStep } from './markets/index.ts'
import type { Step, StepName } from './step.ts'
import { createTransfersStep, resolveTransfersOptions } from './transfers/index.ts'
import { createViewsStep } from './views.ts'
import { createWalletsStep } from './wallets/index.ts'
import { WALLET_ORDERS, type WalletOrder } from './wallets/seen.ts'

/** Options every step may read; each step validates its own part. */
export interface StepOptions extends HttpConfigFlags {
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
  /** Chain step: --rpc-url, --from-block, --to-block, --confirmations, --shard i/n. */
  rpcUrl?: string
  fromBlock?: string
  toBlock?: string
  confirmations?: string
  shard?: string
}

export interface StepSet {
  steps: Step[]
  /** Closes what the steps share (the HTTP client's connections). */
  close(): Promise<void>
}

interface Shared {
  options: StepOptions
  http(): { client: HttpClient; config: ReturnType<typeof resolveHttpConfig> }
}

const FACTORIES: { name: StepName; create: (shared: Shared) => Step }[] = [
  {
    name: 'markets',
    create: (shared) => {
      const { client, config } = shared.http()
      return notingPauses(
        createMarketsStep({ http: client, gammaUrl: config.gammaUrl, rateLimits: config.rateLimits }),
        client,
      )
    },
  },
  {
    name: 'chain',
    create: (shared) => {
      const { rpcUrl, fromBlock, toBlock, confirmations, shard, rate, maxPause } = shared.options
      return createChainStep(
        resolveChainOptions({ rpcUrl, fromBlock, toBlock, confirmations, shard, rate, maxPause }),
      )
    },
  },
  {
    name: 'transfers',
    create: (shared) => {
      const { rpcUrl, fromBlock, toBlock, confirmations, shard, rate, maxPause } = shared.options
      return createTransfersStep(
        resolveTransfersOptions({ rpcUrl, fromBlock, toBlock, confirmations, shard, rate, maxPause }),
      )
    },
  },
  {
    name: 'amm',
    create: (shared) => {
      const { rpcUrl, fromBlock, toBlock, confirmations, shard, rate, maxPause } = shared.options
      return createAmmStep(
        resolveAmmOptions({ rpcUrl, fromBlock, toBlock, confirmations, shard, rate, maxPause }),
      )
    },
  },
  {
    name: 'wallets',
    create: (shared) => {
      const { client, config } = shared.http()
      const { dataApi, maxWallets, wallets, walletOrder } = shared.options
      if (dataApi !== undefined && dataApi !== 'v1' && dataApi !== 'v2') {
        throw new UsageError(`--data-api ${dataApi} is not a Data API version`, { hint: 'use v1 or v2' })
      }
      if (maxWallets !== undefined && !/^\d+$/.test(maxWallets)) {
        throw new UsageError(`--max-wallets ${maxWallets} is not a whole number`, {
          hint: 'e.g. --max-wallets 20000',
        })
      }
      if (walletOrder !== undefined && !(WALLET_ORDERS as readonly string[]).includes(walletOrder)) {
        throw new UsageError(`--wallet-order ${walletOrder} is not an order`, {
          hint: `use ${WALLET_ORDERS.join(', ')} (activity: most chain rows first)`,
        })
      }
      const step = createWalletsStep({
        http: client,
        dataApiUrl: config.dataApiUrl,
        rateLimits: config.rateLimits,
        ...(dataApi ? { version: dataApi } : {}),
        ...(wallets ? { walletsFile: wallets } : {}),
        ...(maxWallets ? { maxWallets: Number(maxWallets) } : {}),
        ...(walletOrder ? { walletOrder: walletOrder as WalletOrder } : {}),
      })
      return notingPauses(step, client)
    },
  },
  { name: 'views', create: (shared) => createViewsStep(shared.options) },
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

export function createSteps(names: readonly StepName[], options: StepOptions): StepSet {
  let http: ReturnType<Shared['http']> | undefined
  const shared: Shared = {
    options,
    http: () => {
      if (!http) {
        const config = resolveHttpConfig(options)
        const client = createHttpClient({ rateLimits: config.rateLimits, maxPauseMs: config.maxPauseMs })
        http = { client, config }
      }
      return http
    },
  }
  const steps = FACTORIES.filter((factory) => names.includes(factory.name)).map((factory) =>
    factory.create(shared),
  )
  return {
    steps,
    close: async () => {
      await http?.client.close()
    },
  }
}
