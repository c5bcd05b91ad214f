// TransferSingle / TransferBatch logs of ConditionalTokens → chain_transfers rows in RowBinary
// (load/row-writer.ts), one row per token id moved (a batch of n ids is n rows, `batch_index` 0 … n-1).
//
// As for the fills (steps/chain/encode.ts), two decoders give one result: the fast path
// (encode-scanned.ts) reads a scanned reply's bytes and takes only the canonical shape a node sends;
// every other log goes to the reference decoder (decode.ts: viem's decodeEventLog over the fixture
// ABI), which decodes it or throws the LogDecodeError that quarantines it.
// test/steps/transfers/encode.test.ts proves both agree on the real fixture logs and simulated ones.
import { LogDecodeError } from '../../extract/chain/abi.ts'
import { CONDITIONAL_TOKENS } from '../../extract/chain/contracts.ts'
import type { ScannedLogs } from '../../extract/chain/scanned-logs.ts'
import type { BinaryColumns, RowValues, RowWriter } from '../../load/row-writer.ts'
import { checkAmount, FastPath, parseLiveLog, placement } from '../block-ranges/log-rows.ts'
import type { LogBlock, LogEncoder } from '../block-ranges/types.ts'
import { decodeTransfers, type OutcomeTransfer } from './decode.ts'
import { writeScannedTransfers } from './encode-scanned.ts'

/** The event column's Enum8 (sql/022): TransferSingle = 0, TransferBatch = 1. */
export const TRANSFER_EVENTS = ['TransferSingle', 'TransferBatch'] as const

/** chain_transfers columns in the order of each row (the engine appends `_run_id`), with their RowBinary types. */
export const CHAIN_TRANSFERS: BinaryColumns = [
  ['block_number', 'UInt64'],
  ['log_index', 'UInt32'],
  ['batch_index', 'UInt16'],
  ['tx_hash', 'String'],
  ['block_hash', 'String'],
  ['block_time', 'DateTime'],
  ['event', TRANSFER_EVENTS],
  ['operator', 'String'],
  ['from_address', 'String'],
  ['to_address', 'String'],
  ['token_id', 'UInt256'],
  ['amount', 'UInt256'],
]
export const CHAIN_TRANSFERS_COLUMNS: readonly string[] = CHAIN_TRANSFERS.map(([name]) => name)
/** batch_index is a UInt16: a batch of more ids cannot be keyed (the block gas limit allows ~2,000). */
const MAX_BATCH_ROWS = 0x1_0000

export class TransferEncoder implements LogEncoder {
  /** Four topics: topic0, and the operator's, sender's and receiver's addresses. */
  private readonly fast = new FastPath(4, [1, 2, 3], writeScannedTransfers)

  /** The reference path: any parsed log → its rows, or LogDecodeError (having written nothing). */
  encode(log: unknown, block: LogBlock, out: RowWriter): void {
    const raw = parseLiveLog(log)
    if (raw.address !== CONDITIONAL_TOKENS)
      throw new LogDecodeError(`emitter ${raw.address} is not ConditionalTokens ${CONDITIONAL_TOKENS}`, log)
    const transfers = decodeTransfers(raw)
    if (transfers.length > MAX_BATCH_ROWS)
      throw new LogDecodeError(`TransferBatch of ${transfers.length} ids: batch_index is a UInt16`, log)
    // Every row is checked before the first is written.
    const rows = transfers.map((transfer) => transferRow(transfer, block, log))
    for (const row of rows) out.row(CHAIN_TRANSFERS, row)
  }

  /** The fast path over a scanned reply (encode-scanned.ts): writes the rows and returns true, or returns false. */
  encodeScanned(logs: ScannedLogs, index: number, block: LogBlock, out: RowWriter): boolean {
    return this.fast.encode(logs, index, block, out)
  }
}

/** The row of one decoded transfer; the block supplies hash and time when the log lacks them. */
function transferRow(transfer: OutcomeTransfer, block: LogBlock, raw: unknown): RowValues {
  const placed = placement(transfer, block, 'chain_transfers', raw)
  checkAmount('amount', transfer.amount, raw, "the balances' decimals and any real position")
  return {
    ...placed,
    batch_index: transfer.batch_index,
    event: transfer.event,
    operator: transfer.operator,
    from_address: transfer.from,
    to_address: transfer.to,
    token_id: transfer.token_id,
    amount: transfer.amount,
  }
}
