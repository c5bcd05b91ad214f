import { describe, expect, it } from 'vitest'
import {
  AdaptiveRange,
  blockCount,
  INITIAL_RANGE_BLOCKS,
  MAX_RANGE_BLOCKS,
} from '../../../extract/chain/adaptive-range.ts'
import { classifyGetLogsError } from '../../../extract/chain/provider-errors.ts'

describe('AdaptiveRange', () => {
  it('starts moderate and doubles on success up to the maximum', () => {
    const ranges = new AdaptiveRange()
    expect(ranges.size).toBe(INITIAL_RANGE_BLOCKS)
    let from = 0
    const sizes: number[] = []
    for (let i = 0; i < 12; i++) {
      const range = ranges.next(from, Number.MAX_SAFE_INTEGER)
      sizes.push(blockCount(range))
      ranges.onSuccess(range)
      from = range.to + 1
    }
    expect(sizes.slice(0, 4)).toEqual([1_000, 2_000, 4_000, 8_000])
    expect(Math.max(...sizes)).toBe(MAX_RANGE_BLOCKS)
    expect(sizes.at(-1)).toBe(MAX_RANGE_BLOCKS)
  })

  it('never asks past the end of the span', () => {
    const ranges = new AdaptiveRange({ initial: 500 })
    expect(ranges.next(100, 120)).toEqual({ from: 100, to: 120 })
    expect(ranges.next(100, 100)).toEqual({ from: 100, to: 100 })
    expect(() => ranges.next(101, 100)).toThrow(RangeError)
  })

  it('takes the range the provider suggests (Alchemy)', () => {
    const ranges = new AdaptiveRange({ initial: 2_000 })
    const requested = ranges.next(0x123c9b2, Number.MAX_SAFE_INTEGER)
    const classification = classifyGetLogsError(
      {
        code: -32600,
        message:
          'You can make eth_getLogs requests with up to a 500 block range. Based on your parameters, this block range should work: [0x123c9b2, 0x123cba5]',
      },
      requested,
    )
    const result = ranges.onTooLarge(requested, classification)
    expect(result).toEqual({ size: 0x123cba5 - 0x123c9b2 + 1, exhausted: false })
    expect(ranges.next(requested.from, Number.MAX_SAFE_INTEGER)).toEqual({ from: 0x123c9b2, to: 0x123cba5 })
    // A span cap is remembered: success never grows past the 500 blocks the provider allows.
    expect(ranges.ceiling).toBe(500)
    for (let i = 0; i < 5; i++) ranges.onSuccess(ranges.next(0, Number.MAX_SAFE_INTEGER))
    expect(ranges.size).toBe(500)
  })

  it('uses a stated cap when there is no explicit range (QuickNode)', () => {
    const ranges = new AdaptiveRange({ initial: 50_000 })
    const requested = ranges.next(0, Number.MAX_SAFE_INTEGER)
    ranges.onTooLarge(
      requested,
      classifyGetLogsError({ code: -32614, message: 'eth_getLogs is limited to a 10,000 range' }, requested),
    )
    expect(ranges.size).toBe(10_000)
    expect(ranges.ceiling).toBe(10_000)
  })

  it('halves when the provider says nothing useful, and keeps growing after too-many-results', () => {
    const ranges = new AdaptiveRange({ initial: 4_000 })
    const requested = ranges.next(0, Number.MAX_SAFE_INTEGER)
    ranges.onTooLarge(requested, { kind: 'too-many-results' })
    expect(ranges.size).toBe(2_000)
    // Result caps depend on how busy the blocks were: no permanent ceiling.
    expect(ranges.ceiling).toBe(MAX_RANGE_BLOCKS)
    ranges.onSuccess(ranges.next(0, Number.MAX_SAFE_INTEGER))
    expect(ranges.size).toBe(4_000)
  })

  it('halves when the suggestion is the refused range itself (base/base#2421)', () => {
    const ranges = new AdaptiveRange({ initial: 8_085 })
    const requested = ranges.next(25_766_988, Number.MAX_SAFE_INTEGER)
    expect(requested.to).toBe(25_775_072)
    const classification = classifyGetLogsError(
      { code: -32602, message: 'query exceeds max results 20000, retry with the range 25766988-25775072' },
      requested,
    )
    expect(ranges.onTooLarge(requested, classification).size).toBe(4_042)
  })

  it('caps an unstated span limit just below the refused size', () => {
    const ranges = new AdaptiveRange({ initial: 3_000 })
    const requested = ranges.next(0, Number.MAX_SAFE_INTEGER)
    ranges.onTooLarge(requested, { kind: 'range-too-large' })
    expect(ranges.size).toBe(1_500)
    expect(ranges.ceiling).toBe(2_999)
    for (let i = 0; i < 5; i++) ranges.onSuccess(ranges.next(0, Number.MAX_SAFE_INTEGER))
    expect(ranges.size).toBe(2_999)
  })

  it('never goes below one block, and says when one block is still too many', () => {
    const ranges = new AdaptiveRange({ initial: 3 })
    let result = ranges.onTooLarge({ from: 0, to: 2 }, { kind: 'too-many-results' })
    expect(result).toEqual({ size: 1, exhausted: false })
    result = ranges.onTooLarge({ from: 0, to: 0 }, { kind: 'too-many-results' })
    expect(result).toEqual({ size: 1, exhausted: true })
    // A nonsense cap of 0 still leaves one block.
    const other = new AdaptiveRange({ initial: 10 })
    expect(other.onTooLarge({ from: 0, to: 9 }, { kind: 'range-too-large', maxBlockRange: 0 }).size).toBe(1)
    expect(other.next(5, 100)).toEqual({ from: 5, to: 5 })
  })

  it('ignores stale feedback from concurrent workers', () => {
    const ranges = new AdaptiveRange({ initial: 1_000 })
    const a = ranges.next(0, Number.MAX_SAFE_INTEGER)
    const b = ranges.next(1_000, Number.MAX_SAFE_INTEGER)
    ranges.onTooLarge(a, { kind: 'too-many-results' })
    expect(ranges.size).toBe(500)
    // b succeeded at the old size: evidence for one doubling from the current size, no more...
    ranges.onSuccess(b)
    expect(ranges.size).toBe(1_000)
    // ...and a late failure of an old, larger request never grows the size.
    ranges.onTooLarge({ from: 0, to: 9_999 }, { kind: 'too-many-results' })
    expect(ranges.size).toBe(1_000)
    // A success smaller than the current size is stale: no growth.
    ranges.onSuccess({ from: 0, to: 9 })
    expect(ranges.size).toBe(1_000)
  })

  it('rejects nonsense options', () => {
    expect(() => new AdaptiveRange({ initial: 0 })).toThrow(RangeError)
    expect(() => new AdaptiveRange({ max: 0 })).toThrow(RangeError)
    expect(() => new AdaptiveRange({ growthFactor: 1 })).toThrow(RangeError)
  })
})
