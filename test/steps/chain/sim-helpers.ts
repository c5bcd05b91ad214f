// Shared by the simulator tests of the chain step (one file per warehouse: chDB binds one data
// directory per process): a simulator with provider caps, its ground truth as lines, and the same
// lines read back from chain_fills.
import { afterAll } from 'vitest'
import type { Warehouse } from '../../../load/warehouse.ts'
import { type Simulator, startSimulator } from '../../../simulator/index.ts'
import type { Fill } from '../../../simulator/world/fills.ts'
import { localChainOptions, openStepHarness, type StepHarness } from './harness.ts'

/** One request in five faulted: a run of ~30 requests meets some (P(none) ≈ 0.1%), no range exhausts its 6 attempts. */
export const FAULTS = '429=0.06,5xx=0.05,hang=0.02,truncate=0.04,html=0.03,reorg=12'
export const WORLD = { seed: 'chain-step', markets: 300, wallets: 150, fills: 30_000, blocks: 250_000 }

const sims: Simulator[] = []
const harnesses: StepHarness[] = []
afterAll(async () => {
  for (const harness of harnesses) await harness.close()
  for (const sim of sims) await sim.close()
})

export async function simulator(options: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> {
  const sim = await startSimulator({
    ...WORLD,
    rpcLimits: 'alchemy',
    rateLimits: { rpc: { limit: 400, windowMs: 1_000 } },
    hangMs: 300,
    ...options,
  })
  sims.push(sim)
  return sim
}

export async function harness(): Promise<StepHarness> {
  const opened = await openStepHarness()
  harnesses.push(opened)
  return opened
}

/**
 * The Data API side of the views and the reconciliation, without running the wallets step: every
 * wallet's positions as the simulator serves them, and each wallet recorded fetched at that snapshot.
 */
/**
 * When insertServedPositions says the positions were fetched (unix seconds): a minute before the
 * tip's time (a reorg may move the tip's timestamp by seconds). The chain step reads past it, so the
 * chain side holds everything the API could count (vw_reconciliation_window); only rows with fills
 * in the API's settling window before it are 'pending'.
 */
export function servedSnapshotTime(sim: Simulator): number {
  return sim.world.chain.timestamp(sim.world.chain.tip) - 60
}

export async function insertServedPositions(warehouse: Warehouse, sim: Simulator): Promise<void> {
  const snapshotAt = new Date(servedSnapshotTime(sim) * 1000).toISOString().replace('T', ' ').replace('Z', '')
  await warehouse.insert(
    'positions',
    sim.truth.wallets().flatMap((wallet) =>
      sim.truth.positions(wallet).map((position) => ({
        wallet,
        token_id: position.asset,
        condition_id: position.conditionId,
        outcome: '',
        outcome_index: position.outcomeIndex,
        size: position.size,
        snapshot_at: snapshotAt,
        raw: '{}',
        _run_id: 'test',
      })),
    ),
  )
  await warehouse.insert(
    'wallets',
    sim.truth.wallets().map((wallet) => ({
      wallet,
      source: 'chain',
      positions_snapshot_at: snapshotAt,
      positions_count: 0,
      _run_id: 'test',
    })),
  )
}

export function chainOptions(sim: Simulator, overrides = {}) {
  return localChainOptions(sim.rpcUrl, {
    fromBlock: sim.world.chain.startBlock,
    rpcRate: { count: 300, windowMs: 1_000 },
    ...overrides,
  })
}

/** One line per fill: everything chain_fills holds, in the simulator's terms. */
export function truthLines(sim: Simulator): string[] {
  const lines: string[] = []
  const chain = sim.world.chain
  for (const fill of sim.truth.fills(chain.startBlock, chain.tip) as Generator<Fill>) {
    const [making, taking] =
      fill.side === 'BUY' ? [fill.collateral, fill.shares] : [fill.shares, fill.collateral]
    lines.push(
      [
        fill.blockNumber,
        fill.logIndex,
        fill.transactionHash,
        chain.blockHash(fill.blockNumber),
        chain.timestamp(fill.blockNumber),
        fill.exchange,
        fill.version,
        fill.orderHash,
        fill.maker,
        fill.taker,
        fill.side,
        BigInt(`0x${fill.tokenIdHex}`).toString(),
        making,
        taking,
        fill.fee,
      ].join('|'),
    )
  }
  return lines
}

/** The stored fills as truthLines writes them; `blocks` [from, to] reads only those (a bounded answer). */
export async function loadedLines(
  h: StepHarness,
  final = 'FINAL',
  blocks?: readonly [number, number],
): Promise<string[]> {
  const where = blocks ? `WHERE block_number BETWEEN ${blocks[0]} AND ${blocks[1]}` : ''
  const loaded = await h.warehouse.query<{ line: string }>(
    `SELECT concat_ws('|', toString(block_number), toString(log_index), tx_hash, block_hash, toString(toUnixTimestamp(block_time)),
            exchange, toString(exchange_version), order_hash, maker, taker, toString(side), toString(token_id),
            toString(maker_amount_filled), toString(taker_amount_filled), toString(fee)) AS line
     FROM chain_fills ${final} ${where} ORDER BY block_number, log_index`,
  )
  return loaded.map((row) => row.line)
}
