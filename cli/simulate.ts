// polyhouse simulate: the offline Polymarket (Gamma, Data API, Polygon JSON-RPC)
// standalone, so any command can be pointed at it. It prints KEY=VALUE lines, so:
//   polyhouse simulate --markets 500 > sim.env &  sleep 1;  set -a; . ./sim.env; set +a
import type { Command } from 'commander'
import { UsageError } from '../core/errors.ts'
import { startSimulator } from '../simulator/index.ts'
import type { SimulatorOptions } from '../simulator/options.ts'

interface SimulateFlags {
  port?: string
  host?: string
  seed?: string
  markets?: string
  wallets?: string
  fills?: string
  blocks?: string
  faults?: string
  latency?: string
  rpcLimits?: string
  rpcRate?: string
}

const WINDOW_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000 }

/** `25/s`, `300/10s`, `1000/1m`: at most COUNT calls in any WINDOW (JSON-RPC batches count each call). */
export function parseRate(flag: string, text: string): { limit: number; windowMs: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d*)\s*(ms|s|m)\s*$/.exec(text)
  if (!match || Number(match[1]) < 1)
    throw new UsageError(`${flag}: cannot read '${text}'`, {
      hint: `give COUNT/WINDOW, e.g. ${flag} 25/s or ${flag} 300/10s`,
    })
  return {
    limit: Number(match[1]),
    windowMs: Number(match[2] || 1) * (WINDOW_MS[match[3] as string] as number),
  }
}

/** A whole number flag, or a UsageError naming the flag and an example. */
function wholeNumber(flag: string, value: string | undefined, example: string): number | undefined {
  if (value === undefined) return undefined
  const cleaned = value.replace(/[_,]/g, '')
  if (!/^\d+$/.test(cleaned))
    throw new UsageError(`${flag}: '${value}' is not a whole number`, { hint: `e.g. ${flag} ${example}` })
  return Number(cleaned)
}

export function simulateOptions(flags: SimulateFlags): SimulatorOptions {
  const options: SimulatorOptions = {}
  const port = wholeNumber('--port', flags.port, '8300')
  const markets = wholeNumber('--markets', flags.markets, '2000')
  const wallets = wholeNumber('--wallets', flags.wallets, '1000')
  const fills = wholeNumber('--fills', flags.fills, '50000')
  const blocks = wholeNumber('--blocks', flags.blocks, '1000000')
  if (port !== undefined) options.port = port
  if (markets !== undefined) options.markets = markets
  if (wallets !== undefined) options.wallets = wallets
  if (fills !== undefined) options.fills = fills
  if (blocks !== undefined) options.blocks = blocks
  if (flags.host !== undefined) options.host = flags.host
  if (flags.seed !== undefined) options.seed = flags.seed
  if (flags.faults !== undefined) options.faults = flags.faults
  if (flags.latency !== undefined) options.latency = flags.latency
  if (flags.rpcLimits !== undefined) options.rpcLimits = flags.rpcLimits as SimulatorOptions['rpcLimits']
  if (flags.rpcRate !== undefined) options.rateLimits = { rpc: parseRate('--rpc-rate', flags.rpcRate) }
  return options
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('serve a seeded fake Polymarket (Gamma, Data API, Polygon RPC) on localhost until Ctrl-C')
    .option('--port <port>', 'first port: Gamma on P, Data API on P+1, RPC on P+2 (default: free ports)')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--seed <seed>', 'world seed: the same seed serves byte-identical responses', 'polyhouse')
    .option('--markets <n>', 'markets (1..200,000)', '2000')
    .option('--wallets <n>', 'wallets (1..100,000)', '1000')
    .option('--fills <n>', 'on-chain OrderFilled events (up to 10,000,000 and beyond)', '50000')
    .option('--blocks <n>', 'chain length in blocks from the V1 exchange deployment', '1000000')
    .option('--faults <spec>', 'e.g. 429=0.1,5xx=0.05,hang=0.02,truncate=0.01,html=0.01,drift=0.005,reorg=12')
    .option('--latency <ms>', 'response latency, base±jitter in ms, e.g. 100±50')
    .option(
      '--rpc-limits <provider>',
      'eth_getLogs caps and messages: alchemy, infura, quicknode or none',
      'alchemy',
    )
    .option(
      '--rpc-rate <rate>',
      'JSON-RPC rate limit, e.g. 25/s (default none; Gamma and Data API limits are always on)',
    )
    .action(async (flags: SimulateFlags) => {
      const simulator = await startSimulator(simulateOptions(flags))
      const { options } = simulator
      process.stdout.write(
        `GAMMA_URL=${simulator.gammaUrl}\nDATA_API_URL=${simulator.dataApiUrl}\nPOLYGON_RPC_URL=${simulator.rpcUrl}\n`,
      )
      process.stderr.write(
        `simulator ready (seed ${options.seed}): ${options.markets.toLocaleString('en-US')} markets, ` +
          `${options.wallets.toLocaleString('en-US')} wallets, ${options.fills.toLocaleString('en-US')} fills over blocks ` +
          `${simulator.world.chain.startBlock}..${simulator.world.chain.tip}; rpc limits ${options.rpcLimits}; ` +
          `stats at ${simulator.gammaUrl}/__stats, truth at ${simulator.gammaUrl}/__truth. Ctrl-C to stop.\n`,
      )
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve)
        process.once('SIGTERM', resolve)
      })
      await simulator.close()
    })
}
