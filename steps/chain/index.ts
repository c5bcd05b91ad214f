// The chain step (`polyhouse backfill --steps chain`): every OrderFilled of the four exchanges into
// chain_fills, over the block-range engine (steps/block-ranges/). See steps/chain.ts for the API.
import type { Warehouse } from '../../load/warehouse.ts'
import { createLogStreamStep, type LogStreamDeps, type LogStreamStep } from '../block-ranges/step.ts'
import type { ChainOptions } from './options.ts'
import { FILLS_STREAM } from './stream.ts'

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
