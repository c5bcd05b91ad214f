// The wallet owners stream: the Safe factory's ProxyCreation and the RelayHub's TransactionRelayed
// logs → wallet_owners (one row per creation or relayed factory call; the table keeps each wallet's
// earliest).
import { WALLET_OWNERS_FILTER } from '../../extract/chain/contracts.ts'
import type { LogStream } from '../block-ranges/types.ts'
import { WALLET_OWNERS_COLUMNS, WalletOwnerEncoder } from './encode.ts'

/** etl_checkpoints / etl_quarantine stream name of the owners (also what `status` shows). */
export const OWNERS_STREAM_NAME = 'wallet_owners'

export const OWNERS_STREAM: LogStream = Object.freeze({
  stream: OWNERS_STREAM_NAME,
  table: 'wallet_owners',
  columns: WALLET_OWNERS_COLUMNS,
  format: 'RowBinary',
  reorgTables: ['wallet_owners'],
  blocksTable: 'wallet_owner_blocks',
  filter: WALLET_OWNERS_FILTER,
  encoder: () => new WalletOwnerEncoder(),
})
