// The reference decoder of ERC-1155 transfers (steps/transfers/decode.ts) on the real
// ConditionalTokens logs, read digit for digit, and on a log it must refuse.
import { describe, expect, it } from 'vitest'
import { LogDecodeError, parseRawLog } from '../../../extract/chain/abi.ts'
import { decodeTransfers } from '../../../steps/transfers/decode.ts'
import { fixtures, topicAddress, word } from '../../extract/chain/fixtures.ts'

describe('ERC-1155 transfers (real ConditionalTokens logs)', () => {
  it('decodes TransferSingle, a burn by the NegRiskAdapter, despite missing optional fields', () => {
    const raw = fixtures.transferSingle()
    const log = parseRawLog(raw)
    expect(log.logIndex).toBeNull()
    const [row, ...rest] = decodeTransfers(log)
    expect(rest).toHaveLength(0)
    expect(row).toMatchObject({
      event: 'TransferSingle',
      contract: '0x4d97dcd97ec945f40cf65f87097ace5ea0476045',
      block_number: 0x568339e,
      tx_hash: raw.transactionHash,
      log_index: null,
      block_hash: null,
      block_timestamp: null,
      transaction_index: null,
      operator: '0xd91e80cf2e7be2e162c6513ced06f1dd0da35296',
      from: '0xd91e80cf2e7be2e162c6513ced06f1dd0da35296',
      to: '0x0000000000000000000000000000000000000000',
      batch_index: 0,
      token_id: word(raw.data, 0).toString(),
      amount: '5000000',
    })
    expect(row?.token_id.startsWith('3217')).toBe(true)
    expect(row?.token_id.endsWith('6340')).toBe(true)
  })

  it('decodes TransferBatch arrays exactly (dynamic ABI layout read by hand here)', () => {
    const raw = fixtures.transferBatch()
    // Head: offsets of ids and values; each array is [length, items...] at its offset.
    const idsAt = Number(word(raw.data, 0)) / 32
    const valuesAt = Number(word(raw.data, 1)) / 32
    expect([idsAt * 32, valuesAt * 32]).toEqual([0x40, 0xa0])
    const idCount = Number(word(raw.data, idsAt))
    const ids = Array.from({ length: idCount }, (_, i) => word(raw.data, idsAt + 1 + i).toString())
    const values = Array.from({ length: Number(word(raw.data, valuesAt)) }, (_, i) =>
      word(raw.data, valuesAt + 1 + i).toString(),
    )
    expect(values).toEqual(['5000000', '0'])

    const rows = decodeTransfers(parseRawLog(raw))
    expect(rows).toHaveLength(2)
    expect(rows.map((r) => r.token_id)).toEqual(ids)
    expect(rows.map((r) => r.amount)).toEqual(values)
    expect(rows.map((r) => r.batch_index)).toEqual([0, 1])
    for (const row of rows) {
      expect(row.event).toBe('TransferBatch')
      expect(row.operator).toBe(topicAddress(raw.topics[1] as string))
      expect(row.from).toBe(topicAddress(raw.topics[2] as string))
      expect(row.to).toBe(topicAddress(raw.topics[3] as string))
      expect(row.tx_hash).toBe(raw.transactionHash)
    }
    // Same token as the TransferSingle of the same transaction.
    expect(rows[0]?.token_id).toBe(decodeTransfers(parseRawLog(fixtures.transferSingle()))[0]?.token_id)
  })
  it('rejects an event that is not a transfer, with a reason for the quarantine', () => {
    const raw = fixtures.positionsConverted()
    expect(() => decodeTransfers(parseRawLog(raw))).toThrow(LogDecodeError)
    expect(() => decodeTransfers(parseRawLog(raw))).toThrow(/not an ERC-1155 transfer event/)
  })
})
