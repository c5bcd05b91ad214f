// Reading words of log data from a reply's bytes: amounts and token ids as their exact decimals.
import { describe, expect, it } from 'vitest'
import { TokenIds, wordNumberAt } from '../../../steps/block-ranges/words.ts'

const word = (value: bigint) => value.toString(16).padStart(64, '0')

describe('words read from bytes', () => {
  it('token ids: exact decimals, also for ids that share their last digits', () => {
    const ids = [
      // A real token id (../shared/fixtures/polymarket/clob/clob-book.json) and ids ending like it.
      98022490269692409998126496127597032490334070080325855126491859374983463996227n,
      98022490269692409998126496127597032490334070080325855126491859374983463996227n + 2n ** 100n,
      98022490269692409998126496127597032490334070080325855126491859374983463996227n + 2n ** 28n,
      1n,
      2n ** 256n - 1n,
    ]
    const tokens = new TokenIds()
    const bytes = Buffer.from(`xx${ids.map(word).join('')}`, 'latin1')
    for (let round = 0; round < 2; round++) {
      for (const [i, id] of ids.entries()) expect(tokens.decimalAt(bytes, 2 + 64 * i)).toBe(id.toString())
    }
  })

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
