// The reference decoder of ConditionalTokens' ERC-1155 TransferSingle and TransferBatch: a raw log
// checked at the edge (extract/chain/abi.ts) → one transfer per token id moved, as viem's
// decodeEventLog reads it over the fixture ABI (extract/chain/contracts.ts). It takes every log the
// fast path declines (encode-scanned.ts) and the tests hold the fast path to its rows
// (test/steps/transfers/encode.test.ts).
import { decodeEvent, LogDecodeError, type LogPosition, type RawLog } from '../../extract/chain/abi.ts'
import { ERC1155_TRANSFER_ABI, TOPIC0 } from '../../extract/chain/contracts.ts'

/** One token id moved. Ids and amounts are decimal strings of the exact uint256. */
export interface OutcomeTransfer extends LogPosition {
  /** The ERC-1155 contract (ConditionalTokens). */
  contract: string
  event: 'TransferSingle' | 'TransferBatch'
  operator: string
  /** The zero address for mints (splits). */
  from: string
  /** The zero address for burns (merges, redemptions). */
  to: string
  /** Position in the batch's arrays; 0 for TransferSingle. */
  batch_index: number
  token_id: string
  amount: string
}

const lower = (value: string) => value.toLowerCase()

/** Decodes a TransferSingle or TransferBatch log into one row per token id moved. */
export function decodeTransfers(log: RawLog): OutcomeTransfer[] {
  const topic0 = log.topics[0]
  if (topic0 !== TOPIC0.transferSingle && topic0 !== TOPIC0.transferBatch) {
    throw new LogDecodeError(`topic0 ${topic0 ?? '(none)'} is not an ERC-1155 transfer event`, log)
  }
  const decoded = decodeEvent(log, ERC1155_TRANSFER_ABI)
  const base = {
    ...decoded.position,
    contract: log.address,
    operator: lower(decoded.args.operator),
    from: lower(decoded.args.from),
    to: lower(decoded.args.to),
  }
  if (decoded.eventName === 'TransferSingle') {
    const { id, value } = decoded.args
    return [
      { ...base, event: 'TransferSingle', batch_index: 0, token_id: id.toString(), amount: value.toString() },
    ]
  }
  const { ids, values } = decoded.args
  if (ids.length !== values.length) {
    throw new LogDecodeError(`TransferBatch with ${ids.length} ids but ${values.length} values`, log)
  }
  return ids.map((id, index) => ({
    ...base,
    event: 'TransferBatch' as const,
    batch_index: index,
    token_id: id.toString(),
    amount: (values[index] as bigint).toString(),
  }))
}
