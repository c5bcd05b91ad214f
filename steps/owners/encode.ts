// Wallet-owner logs → wallet_owners rows in RowBinary (load/row-writer.ts), through the reference
// decoder only: creations are a few million logs over Polymarket's life, minutes of CPU at the
// reference path's pace, so no scanned fast path (steps/block-ranges/types.ts).
import type { BinaryColumns, RowWriter } from '../../load/row-writer.ts'
import { parseLiveLog, placement } from '../block-ranges/log-rows.ts'
import type { LogBlock, LogEncoder } from '../block-ranges/types.ts'
import { decodeOwnership } from './decode.ts'

/** The kind column's Enum8 (sql/070): proxy = 1, safe = 2. */
export const WALLET_KINDS = ['', 'proxy', 'safe'] as const

/** wallet_owners columns in the order of each row (the engine appends `_run_id`), with their RowBinary types. */
export const WALLET_OWNERS: BinaryColumns = [
  ['wallet', 'String'],
  ['owner', 'String'],
  ['kind', WALLET_KINDS],
  ['factory', 'String'],
  ['block_number', 'UInt64'],
  ['log_index', 'UInt32'],
  ['tx_hash', 'String'],
  ['block_hash', 'String'],
  ['block_time', 'DateTime'],
]
export const WALLET_OWNERS_COLUMNS: readonly string[] = WALLET_OWNERS.map(([name]) => name)

export class WalletOwnerEncoder implements LogEncoder {
  encode(log: unknown, block: LogBlock, out: RowWriter): void {
    const ownership = decodeOwnership(parseLiveLog(log))
    if (!ownership) return
    const placed = placement(ownership, block, 'wallet_owners', log)
    out.row(WALLET_OWNERS, {
      ...placed,
      wallet: ownership.wallet,
      owner: ownership.owner,
      kind: ownership.kind,
      factory: ownership.factory,
    })
  }
}
