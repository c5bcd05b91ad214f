// Lifecycle logs (extract/chain/activity-events.ts) → chain_activity rows as TabSeparated lines, one
// row per log. One path only, viem's decodeEventLog: these logs are a small share of the chain's
// traffic next to fills and transfers, so a hand-written fast path would buy nothing worth its risk.
import { LogDecodeError, parseRawLog } from '../../extract/chain/abi.ts'
import { type ActivityRecord, decodeActivity } from '../../extract/chain/activity-events.ts'
import type { RowWriter } from '../../load/row-writer.ts'
import type { LogBlock, LogEncoder } from '../block-ranges/types.ts'

/** chain_activity columns in the order of each line (the engine appends `_run_id`). */
export const CHAIN_ACTIVITY_COLUMNS = [
  'block_number',
  'log_index',
  'tx_hash',
  'block_hash',
  'block_time',
  'contract',
  'event',
  'party',
  'condition_id',
  'collateral',
  'parent_collection_id',
  'neg_risk_market_id',
  'question_id',
  'index_set',
  'amount',
  'payout',
  'values',
  'outcome_slot_count',
  'question_index',
  'fee_bips',
  'token_id',
] as const

/**
 * Amounts and payouts above this many raw units (10^18, i.e. 10^12 shares or USDC) are refused, as
 * the transfers step refuses them (steps/chain/encode.ts MAX_AMOUNT_DIGITS): no real position is that
 * large, and the PnL views keep 6 decimals in Decimal(38, 6).
 */
const MAX_AMOUNT = 10n ** 18n
/** The UInt32 columns (fee_bips, question_index, outcome_slot_count) hold small numbers on chain. */
const MAX_UINT32 = 2n ** 32n - 1n

export class ActivityEncoder implements LogEncoder {
  encode(log: unknown, block: LogBlock, out: RowWriter): void {
    out.write(activityLine(log, block))
    out.endRow()
  }
}

/** The TSV line (without newline) of one lifecycle log; throws LogDecodeError to quarantine it. */
export function activityLine(log: unknown, block: LogBlock): string {
  const raw = parseRawLog(log)
  if (raw.removed)
    throw new LogDecodeError('the node marks this log removed (its block was reorged out)', log)
  if (raw.logIndex === null) {
    throw new LogDecodeError(
      'logIndex is missing: (block_number, log_index) is the key of chain_activity',
      log,
    )
  }
  const blockNumber = raw.blockNumber === null ? null : Number(BigInt(raw.blockNumber))
  if (blockNumber !== block.number) {
    throw new LogDecodeError(
      `log of block ${blockNumber ?? '(pending)'} filed under block ${block.number}`,
      log,
    )
  }
  if (raw.blockHash !== null && raw.blockHash !== block.hash) {
    throw new LogDecodeError(`log says block hash ${raw.blockHash}, the block says ${block.hash}`, log)
  }
  if (raw.transactionHash === null) throw new LogDecodeError('transactionHash is missing', log)
  const record = decodeActivity(raw)
  checkBounds(record, log)
  return [
    block.number,
    Number(BigInt(raw.logIndex)),
    raw.transactionHash,
    block.hash,
    block.time,
    record.contract,
    record.event,
    record.party,
    record.conditionId,
    record.collateral,
    record.parentCollectionId,
    record.negRiskMarketId,
    record.questionId,
    record.indexSet,
    record.amount,
    record.payout,
    `[${record.values.join(',')}]`,
    record.outcomeSlotCount,
    record.questionIndex,
    record.feeBips,
    record.tokenId,
  ].join('\t')
}

function checkBounds(record: ActivityRecord, raw: unknown): void {
  for (const [name, value] of [
    ['amount', record.amount],
    ['payout', record.payout],
  ] as const) {
    if (value > MAX_AMOUNT) {
      throw new LogDecodeError(
        `${record.event} ${name} ${value} exceeds 10^18 raw units, beyond any real position`,
        raw,
      )
    }
  }
  if (record.event === 'NegRiskPayoutRedemption') {
    for (const amount of record.values)
      if (amount > MAX_AMOUNT)
        throw new LogDecodeError(`${record.event} amount ${amount} exceeds 10^18 raw units`, raw)
  }
  for (const [name, value] of [
    ['outcomeSlotCount', record.outcomeSlotCount],
    ['index', record.questionIndex],
    ['feeBips', record.feeBips],
  ] as const) {
    if (value > MAX_UINT32)
      throw new LogDecodeError(`${record.event} ${name} ${value} is not a small number`, raw)
  }
}
