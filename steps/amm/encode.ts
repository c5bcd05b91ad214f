// AMM-era logs → amm_events rows in RowBinary (load/row-writer.ts), one row per log. The stream is
// small (Polymarket's AMM years are a few million logs, the CLOB's fills hundreds of millions), so
// it has the reference path alone (steps/block-ranges/types.ts): parseLiveLog, decode.ts, placement
// and checkAmount, then one row.
import { LogDecodeError } from '../../extract/chain/abi.ts'
import type { BinaryColumns, RowWriter } from '../../load/row-writer.ts'
import { checkAmount, parseLiveLog, placement } from '../block-ranges/log-rows.ts'
import type { LogBlock, LogEncoder } from '../block-ranges/types.ts'
import { AMM_EVENTS, decodeAmmEvent } from './decode.ts'

/** amm_events columns in row order (the engine appends `_run_id`), with their RowBinary types (sql/060). */
export const AMM_EVENTS_TABLE: BinaryColumns = [
  ['block_number', 'UInt64'],
  ['log_index', 'UInt32'],
  ['tx_hash', 'String'],
  ['block_hash', 'String'],
  ['block_time', 'DateTime'],
  ['event', AMM_EVENTS],
  ['contract', 'String'],
  ['actor', 'String'],
  ['outcome_index', 'UInt8'],
  ['collateral_amount', 'UInt256'],
  ['fee_amount', 'UInt256'],
  ['outcome_tokens', 'UInt256'],
  ['amounts', 'Array(UInt256)'],
  ['shares', 'UInt256'],
  ['market_maker', 'String'],
  ['conditional_tokens', 'String'],
  ['collateral_token', 'String'],
  ['condition_ids', 'Array(String)'],
  ['fee', 'UInt256'],
  ['position_ids', 'Array(UInt256)'],
]
export const AMM_EVENTS_COLUMNS: readonly string[] = AMM_EVENTS_TABLE.map(([name]) => name)
/** More outcomes than this in a funding event is no market Polymarket ran (and no array a row should hold). */
const MAX_FUNDING_OUTCOMES = 256
const BEYOND = "the views' decimals and any real AMM trade"

export class AmmEventEncoder implements LogEncoder {
  /** Any parsed log → its row, or LogDecodeError (having written nothing). */
  encode(log: unknown, block: LogBlock, out: RowWriter): void {
    const amm = decodeAmmEvent(parseLiveLog(log))
    const placed = placement(amm, block, 'amm_events', log)
    for (const [name, amount] of [
      ['collateral_amount', amm.collateral_amount],
      ['fee_amount', amm.fee_amount],
      ['outcome_tokens', amm.outcome_tokens],
      ['shares', amm.shares],
    ] as const)
      checkAmount(name, amount, log, BEYOND)
    if (amm.amounts.length > MAX_FUNDING_OUTCOMES)
      throw new LogDecodeError(`${amm.event} with ${amm.amounts.length} outcome amounts`, log)
    for (const amount of amm.amounts) checkAmount('amount', amount, log, BEYOND)
    out.row(AMM_EVENTS_TABLE, {
      ...placed,
      event: amm.event,
      contract: amm.contract,
      actor: amm.actor,
      outcome_index: amm.outcome_index,
      collateral_amount: amm.collateral_amount,
      fee_amount: amm.fee_amount,
      outcome_tokens: amm.outcome_tokens,
      amounts: amm.amounts,
      shares: amm.shares,
      market_maker: amm.market_maker,
      conditional_tokens: amm.conditional_tokens,
      collateral_token: amm.collateral_token,
      condition_ids: amm.condition_ids,
      fee: amm.fee,
      position_ids: amm.position_ids,
    })
  }
}
