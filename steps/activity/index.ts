// The activity step (`polyhouse backfill --steps activity`): every lifecycle log of the outcome
// tokens — resolutions, splits, merges, redemptions, neg-risk conversions and market preparations —
// and the exchanges' fee logs into chain_activity, over the same block-range engine as the fills
// (steps/block-ranges/): range-set checkpoints, adaptive ranges, reorg rewinds and shards. Flags are
// the chain step's (--rpc-url, --from-block, --to-block, --confirmations, --shard); the first block
// defaults to ConditionalTokens' deployment, as for the transfers: splits and redemptions are as
// old as the outcome tokens.
import type { Shard } from '../../checkpoints/range-set.ts'
import type { CheckpointStore } from '../../checkpoints/store.ts'
import { CTF_DEPLOYMENT_BLOCK } from '../../extract/chain/contracts.ts'
import { type BlockCoverage, blockCoverage } from '../block-ranges/coverage.ts'
import { createLogStreamStep, type LogStreamDeps, type LogStreamStep } from '../block-ranges/step.ts'
import { type ChainFlags, type ChainOptions, resolveChainOptions } from '../chain/options.ts'
import { ACTIVITY_STREAM, ACTIVITY_STREAM_NAME } from './stream.ts'

export { ACTIVITY_STREAM, ACTIVITY_STREAM_NAME } from './stream.ts'

/** The chain step's options with ConditionalTokens' deployment as the first block. */
export function resolveActivityOptions(flags: ChainFlags = {}, env: NodeJS.ProcessEnv = process.env) {
  return resolveChainOptions(flags, env, { fromBlock: CTF_DEPLOYMENT_BLOCK })
}

export function createActivityStep(options: ChainOptions, deps: LogStreamDeps = {}): LogStreamStep {
  return createLogStreamStep('activity', ACTIVITY_STREAM, options, deps)
}

/** Coverage and gaps of chain_activity from ConditionalTokens' deployment (or `from`) to `to`. Offline. */
export function activityCoverage(
  checkpoints: CheckpointStore,
  span: { from?: number; to?: number; shard?: Shard } = {},
): Promise<BlockCoverage> {
  return blockCoverage(checkpoints, ACTIVITY_STREAM_NAME, {
    from: span.from ?? CTF_DEPLOYMENT_BLOCK,
    to: span.to,
    shard: span.shard,
  })
}
