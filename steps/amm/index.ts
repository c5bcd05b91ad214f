// The AMM step (`polyhouse backfill --steps amm`): the trades before the order book. From 2020 to
// 2022 Polymarket's markets traded against Fixed Product Market Makers created by one factory; this
// step loads the factory's creations and every FPMMBuy, FPMMSell, FPMMFundingAdded and
// FPMMFundingRemoved into amm_events over the same block-range engine as the fills (range-set
// checkpoints, adaptive ranges, reorg rewinds, shards). Flags are the chain step's; the first block
// defaults to the factory's deployment.
import type { Shard } from '../../checkpoints/range-set.ts'
import type { CheckpointStore } from '../../checkpoints/store.ts'
import { FPMM_FACTORY_DEPLOYMENT_BLOCK } from '../../extract/chain/contracts.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { type BlockCoverage, blockCoverage } from '../block-ranges/coverage.ts'
import { createLogStreamStep, type LogStreamDeps, type LogStreamStep } from '../block-ranges/step.ts'
import { reloadTokenMarkets } from '../chain/index.ts'
import { type ChainFlags, type ChainOptions, resolveChainOptions } from '../chain/options.ts'
import { AMM_STREAM, AMM_STREAM_NAME } from './stream.ts'

export { AMM_STREAM, AMM_STREAM_NAME } from './stream.ts'

/** The chain step's options with the AMM era's own first block. */
export function resolveAmmOptions(flags: ChainFlags = {}, env: NodeJS.ProcessEnv = process.env) {
  return resolveChainOptions(flags, env, { fromBlock: FPMM_FACTORY_DEPLOYMENT_BLOCK })
}

/**
 * Re-reads the amm_markets dictionary (sql/061) and token_markets now, so the trade views see the
 * market makers just loaded; otherwise the engine notices within ~10 s by itself.
 */
export async function reloadAmmMarkets(warehouse: Warehouse): Promise<void> {
  const onCluster = warehouse.cluster ? ` ON CLUSTER '${warehouse.cluster}'` : ''
  await warehouse.command(`SYSTEM RELOAD DICTIONARY${onCluster} amm_markets`)
  await reloadTokenMarkets(warehouse)
}

export function createAmmStep(options: ChainOptions, deps: LogStreamDeps = {}): LogStreamStep {
  return createLogStreamStep('amm', AMM_STREAM, { ...options, afterRun: reloadAmmMarkets }, deps)
}

/** Coverage and gaps of amm_events from the factory's deployment (or `from`) to `to`. Offline. */
export function ammCoverage(
  checkpoints: CheckpointStore,
  span: { from?: number; to?: number; shard?: Shard } = {},
): Promise<BlockCoverage> {
  return blockCoverage(checkpoints, AMM_STREAM_NAME, {
    from: span.from ?? FPMM_FACTORY_DEPLOYMENT_BLOCK,
    to: span.to,
    shard: span.shard,
  })
}
