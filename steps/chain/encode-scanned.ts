// The OrderFilled fast path of encode.ts over a scanned eth_getLogs reply (extract/chain/log-scan.ts):
// the same checks and the same RowBinary row, read from the reply's bytes. Hashes and addresses are
// copied into the row where they lie and words become UInt256s byte by byte; no string is made.
// test/steps/chain/encode.test.ts proves it writes the row the reference decoder writes, and
// declines every log the object fast path declines.
import { EXCHANGES, TOPIC0 } from '../../extract/chain/contracts.ts'
import { LogField, type ScannedLogs } from '../../extract/chain/scanned-logs.ts'
import type { RowWriter } from '../block-ranges/rows.ts'
import type { LogBlock } from '../block-ranges/types.ts'
import { isOneWordAt, isZeroPrefix, isZeroWordAt, spellsAt, wordNumberAt } from '../block-ranges/words.ts'

/** Data words of each OrderFilled version (every argument is static: one word each). */
export const V1_DATA_WORDS = 5
export const V2_DATA_WORDS = 7
/** chain_fills.log_index is a UInt32; a larger index goes to the reference path, which refuses it. */
export const MAX_LOG_INDEX = 0xffffffff
/** The side column's Enum8 values (sql/007). */
export const SIDE_BUY = 0
export const SIDE_SELL = 1

/** Fields the fast path reads, all of which must be lower-case hex. */
const HEX_FIELDS = [
  LogField.address,
  LogField.topic0,
  LogField.topic1,
  LogField.topic2,
  LogField.topic3,
  LogField.data,
  LogField.transactionHash,
  LogField.logIndex,
]

export class ScannedFillEncoder {
  /** The last block's columns (a block's logs come together). */
  private blockBytes: { block: LogBlock | undefined; number: Buffer; hashTime: Buffer } = {
    block: undefined,
    number: Buffer.alloc(0),
    hashTime: Buffer.alloc(0),
  }

  /**
   * Writes the row and returns true, or writes nothing and returns false when the log is not in the
   * exact shape (the caller then hands its parsed object to OrderFilledEncoder.encode).
   */
  encode(logs: ScannedLogs, i: number, block: LogBlock, out: RowWriter): boolean {
    if (logs.topicCount(i) !== 4 || logs.removed(i) || !logs.isLowerHexAll(i, HEX_FIELDS)) return false
    const bytes = logs.bytes
    const version = exchangeVersionAt(bytes, logs.start(i, LogField.address), logs.end(i, LogField.address))
    if (version === undefined) return false
    const topic0 = logs.start(i, LogField.topic0)
    if (
      !equalsText(
        bytes,
        topic0,
        logs.end(i, LogField.topic0),
        version === 1 ? TOPIC0.orderFilledV1 : TOPIC0.orderFilledV2,
      )
    )
      return false
    const data = logs.start(i, LogField.data) + 2
    if (logs.end(i, LogField.data) - data !== 64 * (version === 1 ? V1_DATA_WORDS : V2_DATA_WORDS))
      return false
    const orderHash = logs.start(i, LogField.topic1)
    const maker = logs.start(i, LogField.topic2)
    const taker = logs.start(i, LogField.topic3)
    const txHash = logs.start(i, LogField.transactionHash)
    if (
      logs.end(i, LogField.topic1) - orderHash !== 66 ||
      logs.end(i, LogField.topic2) - maker !== 66 ||
      logs.end(i, LogField.topic3) - taker !== 66 ||
      logs.end(i, LogField.transactionHash) - txHash !== 66
    ) {
      return false
    }
    if (!isZeroPrefix(bytes, maker + 2, 24) || !isZeroPrefix(bytes, taker + 2, 24)) return false
    const logIndex = logs.quantity(i, LogField.logIndex)
    if (logIndex === undefined || logIndex > MAX_LOG_INDEX) return false
    const blockHash = logs.start(i, LogField.blockHash)
    if (blockHash >= 0 && !equalsText(bytes, blockHash, logs.end(i, LogField.blockHash), block.hash))
      return false

    // Word n of the data starts at data + 64·n.
    let buy: boolean
    if (version === 1) {
      buy = isZeroWordAt(bytes, data)
      if (buy === isZeroWordAt(bytes, data + 64)) return false
    } else if (isZeroWordAt(bytes, data)) buy = true
    else if (isOneWordAt(bytes, data)) buy = false
    else return false
    const makerAmount = wordNumberAt(bytes, data + 128)
    const takerAmount = wordNumberAt(bytes, data + 192)
    const fee = wordNumberAt(bytes, data + 256)
    if (makerAmount < 0 || takerAmount < 0 || fee < 0) return false

    if (this.blockBytes.block !== block) this.blockBytes = blockBytes(block)
    const { number, hashTime } = this.blockBytes
    out.copy(number, 0, number.length)
    out.uint32(logIndex)
    out.stringFrom(bytes, txHash, txHash + 66)
    out.copy(hashTime, 0, hashTime.length)
    out.stringFrom(bytes, logs.start(i, LogField.address), logs.end(i, LogField.address))
    out.uint8(version)
    out.stringFrom(bytes, orderHash, orderHash + 66)
    // Addresses are the topics' last 20 bytes.
    out.stringFrom(bytes, maker + 26, maker + 66, '0x')
    out.stringFrom(bytes, taker + 26, taker + 66, '0x')
    out.uint8(buy ? SIDE_BUY : SIDE_SELL)
    if (version === 1) {
      // token_id is the asset that is not collateral; maker_asset_id and taker_asset_id are words 0, 1.
      out.uint256Hex(bytes, buy ? data + 64 : data)
      out.uint256Hex(bytes, data)
      out.uint256Hex(bytes, data + 64)
    } else {
      out.uint256Hex(bytes, data + 64)
      out.uint256(0)
      out.uint256(0)
    }
    out.uint256(makerAmount)
    out.uint256(takerAmount)
    out.uint256(fee)
    // builder and metadata: V2's words 5 and 6; V1 has none.
    if (version === 2) {
      out.stringFrom(bytes, data + 320, data + 384, '0x')
      out.stringFrom(bytes, data + 384, data + 448, '0x')
    } else {
      out.string('')
      out.string('')
    }
    out.endRow()
    return true
  }
}

/** A block's columns as RowBinary: block_number, and block_hash with block_time (they follow tx_hash). */
function blockBytes(block: LogBlock): { block: LogBlock; number: Buffer; hashTime: Buffer } {
  // allocUnsafe takes small buffers from Node's pool (every byte is written below).
  const number = Buffer.allocUnsafe(8)
  number.writeBigUInt64LE(BigInt(block.number))
  const hashTime = Buffer.allocUnsafe(1 + block.hash.length + 4)
  hashTime[0] = block.hash.length
  hashTime.write(block.hash, 1, 'latin1')
  hashTime.writeUInt32LE(block.time, 1 + block.hash.length)
  return { block, number, hashTime }
}

/** The bytes [start, end) spell `text` (ASCII), no more and no less. */
function equalsText(bytes: Buffer, start: number, end: number, text: string): boolean {
  return end - start === text.length && spellsAt(bytes, start, text)
}

/** The version of the exchange whose address the bytes spell, without making the address's string. */
function exchangeVersionAt(bytes: Buffer, start: number, end: number): 1 | 2 | undefined {
  for (const exchange of EXCHANGES)
    if (equalsText(bytes, start, end, exchange.address)) return exchange.version
  return undefined
}
