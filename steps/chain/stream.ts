// The fills stream: OrderFilled logs of the four exchanges (both ABIs) → chain_fills. The
// materialized views of sql/020 and sql/041 copy every row into chain_fills_by_wallet and aggregate
// the taker legs per block into chain_candle_blocks, so a reorg clears all three.
import { FILLS_FILTER } from '../../extract/chain/contracts.ts'
import type { LogStream } from '../block-ranges/types.ts'
import { CHAIN_FILLS_COLUMNS, OrderFilledEncoder } from './encode.ts'

/** etl_checkpoints / etl_quarantine stream name of the fills (also what `status` shows). */
export const FILLS_STREAM_NAME = 'chain_fills'

export const FILLS_STREAM: LogStream = Object.freeze({
  stream: FILLS_STREAM_NAME,
  table: 'chain_fills',
  columns: CHAIN_FILLS_COLUMNS,
  format: 'RowBinary',
  reorgTables: ['chain_fills', 'chain_fills_by_wallet', 'chain_candle_blocks'],
  blocksTable: 'chain_blocks',
  filter: FILLS_FILTER,
  encoder: () => new OrderFilledEncoder(),
})
