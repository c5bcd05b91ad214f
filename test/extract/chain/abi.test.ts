// What every reference decoder is built from (extract/chain/abi.ts): the raw log checked at the edge,
// its position, and viem's strict decoding with its failures turned into LogDecodeError.
import { describe, expect, it } from 'vitest'
import { decodeEvent, LogDecodeError, logPosition, parseRawLog } from '../../../extract/chain/abi.ts'
import { ORDER_FILLED_V1_ABI } from '../../../extract/chain/contracts.ts'
import { fixtures } from './fixtures.ts'

describe('raw logs', () => {
  it('rejects malformed RPC fields at the edge', () => {
    expect(() => parseRawLog({ ...fixtures.orderFilledV1(), blockNumber: 81344785 })).toThrow(LogDecodeError)
    expect(() => parseRawLog({ ...fixtures.orderFilledV1(), topics: ['0x12'] })).toThrow(/topics.0/)
  })

  it('refuses a pending log and a log without a transaction', () => {
    expect(() => logPosition(parseRawLog({ ...fixtures.orderFilledV1(), blockNumber: null }))).toThrow(
      /pending/,
    )
    expect(() =>
      logPosition(parseRawLog({ ...fixtures.orderFilledV1(), transactionHash: undefined })),
    ).toThrow(/transactionHash is missing/)
  })

  it('turns viem failures into a reason for the quarantine', () => {
    const raw = fixtures.orderFilledV1()
    const truncated = parseRawLog({ ...raw, data: raw.data.slice(0, 2 + 64 * 4) })
    expect(() => decodeEvent(truncated, ORDER_FILLED_V1_ABI)).toThrow(LogDecodeError)
    expect(() => decodeEvent(truncated, ORDER_FILLED_V1_ABI)).toThrow(/ABI decoding failed/)
    expect(() => decodeEvent(parseRawLog({ ...raw, topics: [] }), ORDER_FILLED_V1_ABI)).toThrow(
      /no topics \(anonymous event\)/,
    )
    expect(decodeEvent(parseRawLog(raw), ORDER_FILLED_V1_ABI).eventName).toBe('OrderFilled')
  })
})
