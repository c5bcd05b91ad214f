// The transfers step (`polyhouse backfill --steps transfers`): every ERC-1155 TransferSingle and
// TransferBatch of ConditionalTokens into chain_transfers, over the same block-range engine as the
// fills (steps/block-ranges/): range-set checkpoints, adaptive ranges, reorg rewinds and shards.
// Flags are the chain step's (--rpc-url, --from-block, --to-block, --confirmations, --shard); the
// first block defaults to ConditionalTokens' deployment.
import type { Shard } from '../../checkpoints/range-set.ts'
import type { CheckpointStore } from '../../checkpoints/store.ts'
import { CTF_DEPLOYMENT_BLOCK } from '../../extract/chain/contracts.ts'
import { type BlockCoverage, blockCoverage } from '../block-ranges/coverage.ts'
import { createLogStreamStep, type LogStreamDeps, type LogStreamStep } from '../block-ranges/step.ts'
import { reloadTokenMarkets } from '../chain/index.ts'
import { type ChainFlags, type ChainOptions, resolveChainOptions } from '../chain/options.ts'
import { TRANSFERS_STREAM, TRANSFERS_STREAM_NAME } from './stream.ts'

export { TRANSFERS_STREAM, TRANSFERS_STREAM_NAME } from './stream.ts'

/** The chain step's options with the transfers' own first block. */
export function resolveTransfersOptions(flags: ChainFlags = {}, env: NodeJS.ProcessEnv = process.env) {
  return resolveChainOptions(flags, env, { fromBlock: CTF_DEPLOYMENT_BLOCK })
}

export function createTransfersStep(options: ChainOptions, deps: LogStreamDeps = {}): LogStreamStep {
  return createLogStreamStep(
    'transfers',
    TRANSFERS_STREAM,
    { ...options, afterRun: reloadTokenMarkets },
    deps,
  )
}

/** Coverage and gaps of chain_transfers from ConditionalTokens' deployment (or `from`) to `to`. Offline. */
export function transfersCoverage(
  checkpoints: CheckpointStore,
  span: { from?: number; to?: number; shard?: Shard } = {},
): Promise<BlockCoverage> {
  return blockCoverage(checkpoints, TRANSFERS_STREAM_NAME, {
    from: span.from ?? CTF_DEPLOYMENT_BLOCK,
    to: span.to,
    shard: span.shard,
  })
}
