// The OrderFilled fast path: a scanned eth_getLogs reply (extract/chain/log-scan.ts) → the chain_fills
// row the reference decoder (decode.ts) would write, read from the reply's bytes. Hashes and addresses
// are copied into the row where they lie and words become UInt256s byte by byte; no string is made.
// It takes only the exact shape a node sends and declines the rest, which encode.ts hands to the
// reference; test/steps/chain/encode.test.ts proves the two agree.
import { EXCHANGES, TOPIC0 } from '../../extract/chain/contracts.ts'
import { LogField } from '../../extract/chain/scanned-logs.ts'
import type { ScannedRowsWriter } from '../block-ranges/log-rows.ts'
import { equalsText, isOneWordAt, isZeroWordAt, wordNumberAt } from '../block-ranges/words.ts'

/** Data words of each OrderFilled version (every argument is static: one word each). */
const V1_DATA_WORDS = 5
const V2_DATA_WORDS = 7
/** The side column's Enum8 values (sql/007; encode.ts SIDES). */
const SIDE = { BUY: 0, SELL: 1 } as const

/** The row of an OrderFilled of a known exchange, version by topic0 and data length (log-rows.ts FastPath). */
export const writeScannedFill: ScannedRowsWriter = (logs, i, logIndex, block, out) => {
  const bytes = logs.bytes
  const address = logs.start(i, LogField.address)
  const version = exchangeVersionAt(bytes, address, logs.end(i, LogField.address))
  if (version === undefined) return false
  const topic0 = version === 1 ? TOPIC0.orderFilledV1 : TOPIC0.orderFilledV2
  if (!equalsText(bytes, logs.start(i, LogField.topic0), logs.end(i, LogField.topic0), topic0)) return false
  const data = logs.start(i, LogField.data) + 2
  if (logs.end(i, LogField.data) - data !== 64 * (version === 1 ? V1_DATA_WORDS : V2_DATA_WORDS)) return false

  // Word n of the data starts at data + 64·n.
  let buy: boolean
  if (version === 1) {
    // Asset id 0 is collateral: exactly one of words 0 (maker's asset) and 1 (taker's) is 0.
    buy = isZeroWordAt(bytes, data)
    if (buy === isZeroWordAt(bytes, data + 64)) return false
  } else if (isZeroWordAt(bytes, data)) buy = true
  else if (isOneWordAt(bytes, data)) buy = false
  else return false
  const makerAmount = wordNumberAt(bytes, data + 128)
  const takerAmount = wordNumberAt(bytes, data + 192)
  const fee = wordNumberAt(bytes, data + 256)
  if (makerAmount < 0 || takerAmount < 0 || fee < 0) return false

  const { number, hashTime } = block
  const txHash = logs.start(i, LogField.transactionHash)
  const orderHash = logs.start(i, LogField.topic1)
  const maker = logs.start(i, LogField.topic2)
  const taker = logs.start(i, LogField.topic3)
  out.copy(number, 0, number.length)
  out.uint32(logIndex)
  out.stringFrom(bytes, txHash, txHash + 66)
  out.copy(hashTime, 0, hashTime.length)
  out.stringFrom(bytes, address, logs.end(i, LogField.address))
  out.uint8(version)
  out.stringFrom(bytes, orderHash, orderHash + 66)
  // Addresses are the topics' last 20 bytes.
  out.stringFrom(bytes, maker + 26, maker + 66, '0x')
  out.stringFrom(bytes, taker + 26, taker + 66, '0x')
  out.uint8(buy ? SIDE.BUY : SIDE.SELL)
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

/** The version of the exchange whose address the bytes spell, without making the address's string. */
function exchangeVersionAt(bytes: Buffer, start: number, end: number): 1 | 2 | undefined {
  for (const exchange of EXCHANGES)
    if (equalsText(bytes, start, end, exchange.address)) return exchange.version
  return undefined
}
