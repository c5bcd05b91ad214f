// Reading words of log data from a reply's bytes: amounts as Numbers when they fit.
import { describe, expect, it } from 'vitest'
import { wordNumberAt } from '../../../steps/block-ranges/words.ts'

const word = (value: bigint) => value.toString(16).padStart(64, '0')

describe('words read from bytes', () => {
  it('amounts: the value below 2^52, -1 from there on', () => {
    const bytes = Buffer.from(
      [0n, 1n, 999_999n, 2n ** 52n - 1n, 2n ** 52n, 10n ** 18n].map(word).join(''),
      'latin1',
    )
    expect([0, 1, 2, 3, 4, 5].map((i) => wordNumberAt(bytes, 64 * i))).toEqual([
      0,
      1,
      999_999,
      2 ** 52 - 1,
      -1,
      -1,
    ])
  })
})
