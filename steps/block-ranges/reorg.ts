// Reorgs. The hash of the highest processed block is kept (etl_checkpoints.block_hash of the range
// that ends there); when the chain no longer has it, the check steps back through the hashes it
// stored — range ends and every block that holds rows (chain_blocks) — until one agrees with the
// chain, removes every row above that block and forgets those ranges, so they are fetched again.
//
// Deleting rows has one trap: ClickHouse drops any insert whose deduplication token it has seen,
// so if the same rows came back (a crash left rows of a range never recorded, or the node briefly
// served another fork) their re-insert would vanish. Every deletion therefore first records a new
// token salt for the stream; tokens of later inserts hash it (see engine.ts).
import { type BlockRange, SHARD_CHUNK_BLOCKS, type Shard, shardOfBlock } from '../../checkpoints/range-set.ts'
import type { CheckpointStore } from '../../checkpoints/store.ts'
import { NonRetryableError } from '../../core/errors.ts'
import type { BlockHeader, RpcClient } from '../../extract/chain/rpc.ts'
import { withRetry } from '../../extract/http/retry.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import type { StepReporter } from '../step.ts'
import { tolerant } from './fetch.ts'

/**
 * Deepest reorg the step back will follow before giving up. Polygon PoS's deepest reorgs on record
 * were ~120–160 blocks (a 157-block reorg in February 2023 was widely reported); since the
 * Heimdall v2 upgrade milestones finalize within seconds (contracts.ts). 10,000 blocks (~6 h) is
 * far past both; deeper means the node serves another chain, which needs `--fresh`, not a rewind.
 */
export const MAX_REORG_DEPTH_BLOCKS = 10_000
/** Stored hashes compared per batch request while stepping back. */
const STEP_BACK_PAGE = 50
/** The etl_checkpoints unit (kind 'cursor', same stream) holding the stream's token salt. */
export const SALT_UNIT = 'dedup-salt'

export interface ChainState {
  warehouse: Warehouse
  checkpoints: CheckpointStore
  rpc: RpcClient
  stream: string
  /** Tables keyed by block_number to clear above a fork point (`blocks` is added). */
  tables: readonly string[]
  /** The stream's table of stored block hashes (chain_blocks for the fills). */
  blocks: string
  shard: Shard
  reporter: Pick<StepReporter, 'note'>
  signal?: AbortSignal | undefined
}

/** The stream's current token salt: '' until rows were first deleted. */
export async function tokenSalt(checkpoints: CheckpointStore, stream: string): Promise<string> {
  return (await checkpoints.cursors(stream)).get(SALT_UNIT)?.cursor ?? ''
}

/**
 * Records a new token salt before rows of `stream` are deleted, so their re-insert is not dropped
 * as a duplicate. Anything that deletes rows of a chain stream (a repair --overwrite) calls this
 * first.
 */
export async function renewTokenSalt(
  checkpoints: CheckpointStore,
  stream: string,
  why: string,
): Promise<string> {
  const previous = await checkpoints.cursors(stream)
  const count = (previous.get(SALT_UNIT)?.rows ?? 0) + 1
  const salt = `${count}:${Date.now()}:${why}`
  await checkpoints.recordCursor(stream, SALT_UNIT, salt, count)
  return salt
}

/** SQL condition selecting the blocks a shard owns (true without sharding). */
export function shardCondition(shard: Shard): string {
  if (shard.count === 1) return '1'
  return `intDiv(block_number, ${SHARD_CHUNK_BLOCKS}) % ${shard.count} = ${shard.index - 1}`
}

/** Deletes the rows of blocks ≥ `fromBlock` (in the shard) from every table of the stream. */
export async function deleteRowsFrom(state: ChainState, fromBlock: number, toBlock?: number): Promise<void> {
  const upper = toBlock === undefined ? '' : ' AND block_number <= {toBlock:UInt64}'
  for (const table of [...state.tables, state.blocks]) {
    await state.warehouse.command(
      `DELETE FROM ${table} WHERE block_number >= {fromBlock:UInt64}${upper} AND ${shardCondition(state.shard)}`,
      { fromBlock, toBlock },
    )
  }
}

interface Sample {
  block: number
  hash: string
}

/**
 * Compares the hash of the shard's highest processed block with the chain; on a mismatch steps back
 * to the highest stored block the chain agrees with and rewinds above it. Returns the first block
 * rewound, or undefined when the chain still has the head (or nothing was processed yet).
 */
export async function checkHead(state: ChainState): Promise<number | undefined> {
  const ranges = (await state.checkpoints.rangeRows(state.stream)).filter(
    (range) => shardOfBlock(range.from, state.shard.count) === state.shard.index,
  )
  if (ranges.length === 0) return undefined
  const head = Math.max(...ranges.map((range) => range.to))
  const lowest = Math.min(...ranges.map((range) => range.from))
  const rangeEnds: Sample[] = ranges
    .filter((range) => range.blockHash !== '')
    .map((range) => ({ block: range.to, hash: range.blockHash }))

  let cursor = head
  let agreed: number | undefined
  let mismatched: Sample | undefined
  // The head alone first: one header per check when nothing changed, pages only when stepping back.
  for (let page = 1; ; page = STEP_BACK_PAGE) {
    const samples = await samplesBelow(state, rangeEnds, cursor, page)
    if (samples.length === 0) {
      // Nothing stored agrees: every processed block of the shard is suspect.
      agreed = lowest - 1
      break
    }
    const headers = await withRetry(
      () => tolerant(() => state.rpc.getBlocksByNumber(samples.map((sample) => sample.block))),
      {
        signal: state.signal,
        label: `${state.stream}: reorg check of block ${samples[0]?.block}`,
      },
    )
    const found = compare(samples, headers)
    if (found === 'unknown') {
      state.reporter.note(
        `reorg check skipped: the node has no header for block ${samples[0]?.block} yet; it runs again next time`,
      )
      return undefined
    }
    if (found.mismatch) mismatched ??= found.mismatch
    if (found.agreed !== undefined) {
      agreed = found.agreed
      break
    }
    cursor = (samples.at(-1) as Sample).block - 1
    if (head - cursor > MAX_REORG_DEPTH_BLOCKS) {
      throw new NonRetryableError(
        `${state.stream}: no stored block hash within ${MAX_REORG_DEPTH_BLOCKS} blocks below block ${head} matches the chain`,
        {
          hint: `the RPC endpoint serves a different chain than the one loaded; check POLYGON_RPC_URL, or reload with backfill --fresh ${state.stream === 'chain_fills' ? 'chain' : state.stream}`,
        },
      )
    }
  }
  if (mismatched === undefined) return undefined
  const fromBlock = agreed + 1
  state.reporter.note(
    `reorg: block ${mismatched.block} is no longer ${mismatched.hash.slice(0, 10)}…; block ${agreed} agrees — deleting rows of blocks ≥ ${fromBlock} and fetching them again`,
  )
  await rewind(state, fromBlock, `reorg at ${fromBlock}`)
  return fromBlock
}

/** Removes rows and recorded ranges of blocks ≥ fromBlock (the salt first: see the header). */
export async function rewind(state: ChainState, fromBlock: number, why: string): Promise<void> {
  await renewTokenSalt(state.checkpoints, state.stream, why)
  await deleteRowsFrom(state, fromBlock)
  await state.checkpoints.forgetBlocksFrom(state.stream, fromBlock)
}

/**
 * Rows in blocks of `gaps` (not recorded done) near the tip: what a commit interrupted between its
 * insert and its checkpoint left behind. Deeper ones are harmless (a refetch replaces them row for
 * row); near the tip the chain may have moved since, so they are deleted before the refetch.
 */
export async function clearUnrecordedRows(state: ChainState, gaps: readonly BlockRange[]): Promise<number> {
  const table = state.tables[0] as string
  let cleared = 0
  let salted = false
  for (const gap of gaps) {
    const [row] = await state.warehouse.query<{ rows: string }>(
      `SELECT toString(count()) AS rows FROM ${table}
       WHERE block_number BETWEEN {from:UInt64} AND {to:UInt64} AND ${shardCondition(state.shard)}`,
      { from: gap.from, to: gap.to },
    )
    const rows = Number(row?.rows ?? 0)
    if (rows === 0) continue
    if (!salted) {
      await renewTokenSalt(state.checkpoints, state.stream, `unrecorded rows from ${gap.from}`)
      salted = true
    }
    await deleteRowsFrom(state, gap.from, gap.to)
    cleared += rows
  }
  if (cleared > 0) {
    state.reporter.note(
      `deleted ${cleared} rows near the tip left by an interrupted commit; fetching them again`,
    )
  }
  return cleared
}

/** Up to one page of stored hashes at or below `cursor`, highest first. */
async function samplesBelow(
  state: ChainState,
  rangeEnds: readonly Sample[],
  cursor: number,
  limit: number,
): Promise<Sample[]> {
  const stored = await state.warehouse.query<{ block: string; hash: string }>(
    `SELECT toString(block_number) AS block, block_hash AS hash FROM ${state.blocks} FINAL
     WHERE block_number <= {cursor:UInt64} AND ${shardCondition(state.shard)}
     ORDER BY block_number DESC LIMIT {limit:UInt32}`,
    { cursor, limit },
  )
  const byBlock = new Map<number, string>()
  for (const row of stored) byBlock.set(Number(row.block), row.hash)
  for (const sample of rangeEnds) {
    if (sample.block > cursor) continue
    const other = byBlock.get(sample.block)
    // Two different stored hashes for one block: keep the range end's, the later read.
    if (other === undefined || other !== sample.hash) byBlock.set(sample.block, sample.hash)
  }
  return [...byBlock.entries()]
    .map(([block, hash]) => ({ block, hash }))
    .sort((a, b) => b.block - a.block)
    .slice(0, limit)
}

function compare(
  samples: readonly Sample[],
  headers: readonly (BlockHeader | null)[],
): 'unknown' | { agreed?: number; mismatch?: Sample } {
  let mismatch: Sample | undefined
  for (const [i, sample] of samples.entries()) {
    const header = headers[i]
    if (!header) {
      if (i === 0 && mismatch === undefined) return 'unknown'
      continue
    }
    if (header.hash === sample.hash)
      return mismatch ? { agreed: sample.block, mismatch } : { agreed: sample.block }
    mismatch ??= sample
  }
  return mismatch ? { mismatch } : {}
}
