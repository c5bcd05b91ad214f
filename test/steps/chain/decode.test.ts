// The reference decoder of OrderFilled (steps/chain/decode.ts) on the real fixture logs, word by word,
// and on the logs it must refuse with a reason for the quarantine.
import { describe, expect, it } from 'vitest'
import { LogDecodeError, parseRawLog } from '../../../extract/chain/abi.ts'
import { decodeOrderFilled, type OrderFillV1, type OrderFillV2 } from '../../../steps/chain/decode.ts'
import { fixtures, topicAddress, word, wordHex } from '../../extract/chain/fixtures.ts'

describe('OrderFilled position (real logs)', () => {
  it('keeps where each log lies, its emitter and version', () => {
    const v1 = fixtures.orderFilledV1()
    const v2 = fixtures.orderFilledV2()
    const cases = [
      // SOURCES.md: block 0x4d93911 (81344785), logIndex 0x54d.
      [v1, 1, '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e', 81_344_785, 0x54d, 0x64],
      [v2, 2, '0xe111180000d2663c0091e4f400237545b87b996b', 90_840_326, 0x215, undefined],
    ] as const
    for (const [raw, version, exchange, blockNumber, logIndex, transactionIndex] of cases) {
      const fill = decodeOrderFilled(parseRawLog(raw))
      expect(fill).toMatchObject({ version, exchange, neg_risk: false, log_index: logIndex })
      expect(fill.block_number).toBe(blockNumber)
      expect(fill.block_number).toBe(Number.parseInt(raw.blockNumber, 16))
      expect(fill.tx_hash).toBe(raw.transactionHash)
      expect(fill.block_hash).toBe(raw.blockHash)
      expect(fill.block_timestamp).toBe(Number.parseInt(raw.blockTimestamp as string, 16))
      if (transactionIndex !== undefined) expect(fill.transaction_index).toBe(transactionIndex)
      // Both versions carry the amounts in data words 2, 3 and 4.
      expect(fill.maker_amount_filled).toBe(word(raw.data, 2).toString())
      expect(fill.taker_amount_filled).toBe(word(raw.data, 3).toString())
      expect(fill.fee).toBe(word(raw.data, 4).toString())
    }
    expect(v1.transactionHash).toBe('0x31d5dca405136cb4ed09bcf817d2b6c2ce1331b18d4b5738eae2e76f7e73e391')
    expect(v2.transactionHash).toBe('0x21d27b0fde210ccb5e6480e3f479f342743aa1f854199d57cafab2553d9a516e')
    expect(v2.blockHash).toBe('0x6fd9b83c01f7d00dec9a7e69fc8427b0b98127e116b02108eeab4cece60ec924')
    // SOURCES.md: blockTimestamp 0x6a64696e = 2026-07-25T07:44:46Z
    const fill = decodeOrderFilled(parseRawLog(v2))
    expect(new Date((fill.block_timestamp as number) * 1000).toISOString()).toBe('2026-07-25T07:44:46.000Z')
  })
})

describe('OrderFilled V1 (real log, CTF Exchange V1)', () => {
  const raw = fixtures.orderFilledV1()
  const fill = decodeOrderFilled(parseRawLog(raw)) as OrderFillV1

  it('decodes the indexed topics, the vanity maker included', () => {
    expect(fill.order_hash).toBe(raw.topics[1])
    // SOURCES.md: the maker topic is a vanity address with leading zeros.
    expect(fill.maker).toBe('0x00000003a358014c7c0e227483dbe01619871000')
    expect(fill.maker).toBe(topicAddress(raw.topics[2] as string))
    expect(fill.taker).toBe(topicAddress(raw.topics[3] as string))
    expect(fill.taker).toBe('0xe55b90febea370d4611a4b0a9ff201183268b24e')
  })

  it('decodes the five data words exactly', () => {
    expect(fill.maker_asset_id).toBe(word(raw.data, 0).toString())
    expect(fill.maker_asset_id).toBe('0')
    expect(fill.taker_asset_id).toBe(word(raw.data, 1).toString())
    expect(fill).toMatchObject({
      maker_amount_filled: '7434000',
      taker_amount_filled: '17700000',
      fee: '1770000',
    })
    expect(fill.order_side).toBeNull()
    expect(fill.builder).toBeNull()
    expect(fill.metadata).toBeNull()
  })

  it('normalizes: makerAssetId 0 means the maker pays USDC, a BUY of 17.7 shares at 0.42', () => {
    expect(fill.side).toBe('BUY')
    expect(fill.token_id).toBe(fill.taker_asset_id)
    expect(fill.shares).toBe('17700000')
    expect(fill.collateral).toBe('7434000')
    // price = collateral / shares, exact in integers: 7434000 * 100 = 42 * 17700000
    expect(BigInt(fill.collateral) * 100n).toBe(42n * BigInt(fill.shares))
  })
})

describe('OrderFilled V2 (real log, CTF Exchange V2)', () => {
  const raw = fixtures.orderFilledV2()
  const fill = decodeOrderFilled(parseRawLog(raw)) as OrderFillV2

  it('decodes the topics and the seven data words exactly', () => {
    expect(fill.order_hash).toBe(raw.topics[1])
    expect(fill.maker).toBe(topicAddress(raw.topics[2] as string))
    expect(fill.taker).toBe(topicAddress(raw.topics[3] as string))
    expect(fill.order_side).toBe(1)
    expect(BigInt(fill.order_side)).toBe(word(raw.data, 0))
    expect(fill.token_id).toBe(word(raw.data, 1).toString())
    expect(fill).toMatchObject({ maker_amount_filled: '4180000', taker_amount_filled: '3929200', fee: '0' })
    expect(fill.builder).toBe(wordHex(raw.data, 5))
    expect(fill.metadata).toBe(wordHex(raw.data, 6))
    expect(fill.maker_asset_id).toBeNull()
    expect(fill.taker_asset_id).toBeNull()
  })

  it('normalizes: side 1 is a SELL of 4.18 shares at 0.94', () => {
    expect(fill.side).toBe('SELL')
    expect(fill.shares).toBe('4180000')
    expect(fill.collateral).toBe('3929200')
    expect(BigInt(fill.collateral) * 100n).toBe(94n * BigInt(fill.shares))
  })
})

describe('OrderFilled errors', () => {
  it('rejects an event that is not OrderFilled, with a reason for the quarantine', () => {
    const raw = fixtures.positionsConverted()
    expect(() => decodeOrderFilled(parseRawLog(raw))).toThrow(LogDecodeError)
    expect(() => decodeOrderFilled(parseRawLog(raw))).toThrow(/not an OrderFilled event/)
  })

  it('rejects truncated data rather than decoding garbage', () => {
    const raw = fixtures.orderFilledV1()
    const truncated = { ...raw, data: raw.data.slice(0, 2 + 64 * 4) }
    expect(() => decodeOrderFilled(parseRawLog(truncated))).toThrow(LogDecodeError)
  })

  it('rejects a V1 topic emitted by a V2 exchange', () => {
    const raw = { ...fixtures.orderFilledV1(), address: '0xE111180000d2663C0091e4f400237545B87B996B' }
    expect(() => decodeOrderFilled(parseRawLog(raw))).toThrow(/V2 exchange/)
  })

  it('rejects a V1 fill where neither asset is collateral', () => {
    const raw = fixtures.orderFilledV1()
    const data = `0x${'0'.repeat(63)}1${raw.data.slice(2 + 64)}`
    expect(() => decodeOrderFilled(parseRawLog({ ...raw, data }))).toThrow(/exactly one must be 0/)
  })

  it('lower-cases addresses and hashes from providers that send mixed case', () => {
    const raw = fixtures.orderFilledV2()
    const upper = {
      ...raw,
      address: raw.address.toUpperCase().replace('0X', '0x'),
      blockHash: raw.blockHash?.toUpperCase().replace('0X', '0x'),
    }
    const fill = decodeOrderFilled(parseRawLog(upper))
    expect(fill.exchange).toBe(raw.address)
    expect(fill.block_hash).toBe(raw.blockHash)
  })
})
