// The RPC side of the chain benches, in its own process so that serving logs does not share the
// pipeline's event loop: the simulator's Polygon JSON-RPC for a world of `--fills` fills. Prints one
// JSON line ({ rpcUrl, startBlock, tip, fills }) when ready; stops on SIGTERM.
// Run by bench/chain-ingest.ts; alone: npx tsx bench/chain-source.ts --fills 1000000
import { parseArgs } from 'node:util'
import { startSimulator } from '../test/simulator/index.ts'

const { values } = parseArgs({
  options: {
    fills: { type: 'string', default: '1000000' },
    blocks: { type: 'string' },
    wallets: { type: 'string', default: '20000' },
    markets: { type: 'string', default: '20000' },
    limits: { type: 'string', default: 'none' },
    seed: { type: 'string', default: 'chain-bench' },
  },
})
const fills = Number(values.fills)
const simulator = await startSimulator({
  seed: values.seed,
  fills,
  // Five fills per block by default: Polymarket's density in 2025–26 is of that order.
  blocks: Number(values.blocks ?? Math.max(1_000, Math.round(fills / 5))),
  wallets: Number(values.wallets),
  markets: Number(values.markets),
  rpcLimits: values.limits as 'none',
  rateLimits: false,
})
const chain = simulator.world.chain
process.stdout.write(
  `${JSON.stringify({ rpcUrl: simulator.rpcUrl, statsUrl: `${simulator.gammaUrl}/__stats`, startBlock: chain.startBlock, tip: chain.tip, fills })}\n`,
)
await new Promise<void>((resolve) => {
  process.once('SIGTERM', resolve)
  process.once('SIGINT', resolve)
})
await simulator.close()
