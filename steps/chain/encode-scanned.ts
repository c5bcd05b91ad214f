// The OrderFilled fast path of encode.ts over a scanned eth_getLogs reply (extract/chain/log-scan.ts):
// the same checks and the same row, read from the reply's bytes. Hashes and addresses are copied
// into the row where they lie; numbers are written digit by digit; nothing is made a string except a
// token id seen for the first time. test/steps/chain/encode.test.ts proves it writes the line the
// reference decoder writes, and declines every log the object fast path declines.
import { EXCHANGES, TOPIC0 } from '../../extract/chain/contracts.ts'
import { LogField, type ScannedLogs } from '../../extract/chain/scanned-logs.ts'
import type { RowWriter } from '../block-ranges/rows.ts'
import type { LogBlock } from '../block-ranges/types.ts'
import {
  isOneWordAt,
  isZeroPrefix,
  isZeroWordAt,
  spellsAt,
  type TokenIds,
  wordNumberAt,
} from '../block-ranges/words.ts'

/** Data words of each OrderFilled version (every argument is static: one word each). */
export const V1_DATA_WORDS = 5
export const V2_DATA_WORDS = 7

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
  /** The text of the last block's columns (a block's logs come together). */
  private blockText: { block: LogBlock | undefined; number: string; hashTime: string } = {
    block: undefined,
    number: '',
    hashTime: '',
  }

  constructor(private readonly tokens: TokenIds) {}

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
    if (logIndex === undefined) return false
    const blockHash = logs.start(i, LogField.blockHash)
    if (blockHash >= 0 && !equalsText(bytes, blockHash, logs.end(i, LogField.blockHash), block.hash))
      return false

    // Word n of the data starts at data + 64·n.
    let buy: boolean
    let token: string
    if (version === 1) {
      buy = isZeroWordAt(bytes, data)
      if (buy === isZeroWordAt(bytes, data + 64)) return false
      token = this.tokens.decimalAt(bytes, buy ? data + 64 : data)
    } else {
      if (isZeroWordAt(bytes, data)) buy = true
      else if (isOneWordAt(bytes, data)) buy = false
      else return false
      token = this.tokens.decimalAt(bytes, data + 64)
    }
    const makerAmount = wordNumberAt(bytes, data + 128)
    const takerAmount = wordNumberAt(bytes, data + 192)
    const fee = wordNumberAt(bytes, data + 256)
    if (makerAmount < 0 || takerAmount < 0 || fee < 0) return false

    if (this.blockText.block !== block) {
      this.blockText = { block, number: `${block.number}\t`, hashTime: `\t${block.hash}\t${block.time}\t` }
    }
    out.write(this.blockText.number)
    out.writeNumber(logIndex)
    out.write('\t')
    out.copy(bytes, txHash, txHash + 66)
    out.write(this.blockText.hashTime)
    out.copy(bytes, logs.start(i, LogField.address), logs.end(i, LogField.address))
    out.write(version === 1 ? '\t1\t' : '\t2\t')
    out.copy(bytes, orderHash, orderHash + 66)
    out.write('\t0x')
    out.copy(bytes, maker + 26, maker + 66)
    out.write('\t0x')
    out.copy(bytes, taker + 26, taker + 66)
    out.write(buy ? '\tBUY\t' : '\tSELL\t')
    out.write(token)
    // maker_asset_id, taker_asset_id: V1's, 0 for collateral; V2 has none.
    if (version === 2) {
      out.write('\t0\t0\t')
    } else if (buy) {
      out.write('\t0\t')
      out.write(token)
      out.write('\t')
    } else {
      out.write('\t')
      out.write(token)
      out.write('\t0\t')
    }
    out.writeNumber(makerAmount)
    out.write('\t')
    out.writeNumber(takerAmount)
    out.write('\t')
    out.writeNumber(fee)
    out.write('\t')
    if (version === 2) {
      out.write('0x')
      out.copy(bytes, data + 320, data + 384)
      out.write('\t0x')
      out.copy(bytes, data + 384, data + 448)
    } else {
      out.write('\t')
    }
    out.endRow()
    return true
  }
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
