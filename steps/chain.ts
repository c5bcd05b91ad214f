// The chain step's public face, for cli/ and the orchestrator:
//
//   const options = resolveChainOptions(flags)          // flags ⊕ POLYGON_RPC_URL ⊕ defaults; UsageError
//   const step = createChainStep(options, { limiter })  // a Step ('chain'); limiter: the run's `rpc` family
//   await fillsCoverage(checkpoints, { to: tip })       // coverage and gaps for `status` / `gaps`
//   await unknownTokenCounts(warehouse)                 // fills/positions whose token no market lists
//
// The engine itself (steps/block-ranges/) serves the transfers step the same way.
import type { Shard } from '../checkpoints/range-set.ts'
import type { CheckpointStore } from '../checkpoints/store.ts'
import { V1_DEPLOYMENT_BLOCK } from '../extract/chain/contracts.ts'
import { type BlockCoverage, blockCoverage } from './block-ranges/coverage.ts'
import { FILLS_STREAM_NAME } from './chain/stream.ts'

export { type BlockCoverage, blockCoverage } from './block-ranges/coverage.ts'
export { renewTokenSalt } from './block-ranges/reorg.ts'
export type { LogStreamDeps, LogStreamStep } from './block-ranges/step.ts'
export { createChainStep, reloadTokenMarkets } from './chain/index.ts'
export {
  type ChainFlags,
  type ChainOptions,
  chainOptionsSchema,
  resolveChainOptions,
} from './chain/options.ts'
export { type UnknownTokenCounts, unknownTokenCounts } from './chain/status.ts'
export { FILLS_STREAM, FILLS_STREAM_NAME } from './chain/stream.ts'

/**
 * Coverage and gaps of chain_fills from the V1 deployment block (or `from`) to `to` — the chain's
 * tip minus the confirmations when the caller knows it, else the highest block done. Offline.
 */
export function fillsCoverage(
  checkpoints: CheckpointStore,
  span: { from?: number; to?: number; shard?: Shard } = {},
): Promise<BlockCoverage> {
  return blockCoverage(checkpoints, FILLS_STREAM_NAME, {
    from: span.from ?? V1_DEPLOYMENT_BLOCK,
    to: span.to,
    shard: span.shard,
  })
}
