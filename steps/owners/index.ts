// The owners step (`polyhouse backfill --steps owners`): who is behind each proxy wallet and Safe,
// from the factories' logs into wallet_owners, over the same block-range engine as the fills
// (steps/block-ranges/): range-set checkpoints, adaptive ranges, reorg rewinds and shards. Flags are
// the chain step's; the first block defaults to the proxy wallet factory's deployment, the older of
// the two factories.
import type { Shard } from '../../checkpoints/range-set.ts'
import type { CheckpointStore } from '../../checkpoints/store.ts'
import { PROXY_WALLET_FACTORY_BLOCK } from '../../extract/chain/contracts.ts'
import { type BlockCoverage, blockCoverage } from '../block-ranges/coverage.ts'
import { createLogStreamStep, type LogStreamDeps, type LogStreamStep } from '../block-ranges/step.ts'
import { type ChainFlags, type ChainOptions, resolveChainOptions } from '../chain/options.ts'
import { OWNERS_STREAM, OWNERS_STREAM_NAME } from './stream.ts'

export { OWNERS_STREAM, OWNERS_STREAM_NAME } from './stream.ts'

/** The chain step's options with the owners' own first block. */
export function resolveOwnersOptions(flags: ChainFlags = {}, env: NodeJS.ProcessEnv = process.env) {
  return resolveChainOptions(flags, env, { fromBlock: PROXY_WALLET_FACTORY_BLOCK })
}

export function createOwnersStep(options: ChainOptions, deps: LogStreamDeps = {}): LogStreamStep {
  return createLogStreamStep('owners', OWNERS_STREAM, options, deps)
}

/** Coverage and gaps of wallet_owners from the proxy wallet factory's deployment (or `from`) to `to`. Offline. */
export function ownersCoverage(
  checkpoints: CheckpointStore,
  span: { from?: number; to?: number; shard?: Shard } = {},
): Promise<BlockCoverage> {
  return blockCoverage(checkpoints, OWNERS_STREAM_NAME, {
    from: span.from ?? PROXY_WALLET_FACTORY_BLOCK,
    to: span.to,
    shard: span.shard,
  })
}
