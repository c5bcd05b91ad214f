// The chain step (`polyhouse backfill --steps chain`): every OrderFilled of the four exchanges into
// chain_fills, over the block-range engine (steps/block-ranges/), which serves the transfers step
// (steps/transfers/) the same way. Its public face, for cli/ and the orchestrator:
//
//   const options = resolveChainOptions(flags)          // flags ⊕ POLYGON_RPC_URL ⊕ defaults; UsageError
//   const step = createChainStep(options, { limiter })  // a Step ('chain'); limiter: the run's `rpc` family
//   await fillsCoverage(checkpoints, { to: tip })       // coverage and gaps for `status` / `gaps`
//   await unknownTokenCounts(warehouse)                 // fills/positions whose token no market lists
import type { Shard } from '../../checkpoints/range-set.ts'
import type { CheckpointStore } from '../../checkpoints/store.ts'
import { V1_DEPLOYMENT_BLOCK } from '../../extract/chain/contracts.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { type BlockCoverage, blockCoverage } from '../block-ranges/coverage.ts'
import { createLogStreamStep, type LogStreamDeps, type LogStreamStep } from '../block-ranges/step.ts'
import type { ChainOptions } from './options.ts'
import { FILLS_STREAM, FILLS_STREAM_NAME } from './stream.ts'

export { type BlockCoverage, blockCoverage } from '../block-ranges/coverage.ts'
export { renewTokenSalt } from '../block-ranges/reorg.ts'
export type { LogStreamDeps, LogStreamStep } from '../block-ranges/step.ts'
export {
  type ChainFlags,
  type ChainOptions,
  chainOptionsSchema,
  checkBlockFlags,
  resolveChainOptions,
} from './options.ts'
export { type UnknownTokenCounts, unknownTokenCounts } from './status.ts'
export { FILLS_STREAM, FILLS_STREAM_NAME } from './stream.ts'

/**
 * Re-reads the token_markets dictionary (sql/021) now, so the trade views see every market in
 * market_tokens and markets; otherwise the engine notices changes within ~10 s by itself.
 */
export async function reloadTokenMarkets(warehouse: Warehouse): Promise<void> {
  const onCluster = warehouse.cluster ? ` ON CLUSTER '${warehouse.cluster}'` : ''
  await warehouse.command(`SYSTEM RELOAD DICTIONARY${onCluster} token_markets`)
}

export function createChainStep(options: ChainOptions, deps: LogStreamDeps = {}): LogStreamStep {
  // The backfill loads markets before fills: make the views see them when the fills are in.
  return createLogStreamStep('chain', FILLS_STREAM, { ...options, afterRun: reloadTokenMarkets }, deps)
}

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
