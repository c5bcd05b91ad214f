// The transfers stream: TransferSingle and TransferBatch logs of ConditionalTokens → chain_transfers.
// The materialized view of sql/022 (re-keyed by sql/090) writes each row twice into chain_transfers_by_wallet (the sender's
// debit and the receiver's credit), so a reorg clears both tables.
import { TRANSFERS_FILTER } from '../../extract/chain/contracts.ts'
import type { LogStream } from '../block-ranges/types.ts'
import { CHAIN_TRANSFERS_COLUMNS, TransferEncoder } from './encode.ts'

/** etl_checkpoints / etl_quarantine stream name of the transfers (also what `status` shows). */
export const TRANSFERS_STREAM_NAME = 'chain_transfers'

export const TRANSFERS_STREAM: LogStream = Object.freeze({
  stream: TRANSFERS_STREAM_NAME,
  table: 'chain_transfers',
  columns: CHAIN_TRANSFERS_COLUMNS,
  format: 'RowBinary',
  reorgTables: ['chain_transfers', 'chain_transfers_by_wallet'],
  blocksTable: 'chain_transfer_blocks',
  filter: TRANSFERS_FILTER,
  encoder: () => new TransferEncoder(),
})
