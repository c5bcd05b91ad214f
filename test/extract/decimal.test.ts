// Exact decimal text from JSON numbers and numeric strings (extract/decimal.ts).
import { describe, expect, it } from 'vitest'
import { decimalText, fixedDecimal } from '../../extract/decimal.ts'

describe('decimalText', () => {
  it.each([
    [0.1899999927, '0.1899999927'],
    [0.8100000092466668, '0.8100000092466668'],
    [1e-7, '0.0000001'],
    [1.5e21, '1500000000000000000000'],
    [-0.5, '-0.5'],
    ['18000000000000000', '18000000000000000'],
    ['  0.50 ', '0.5'],
    ['007', '7'],
    [-0, '0'],
  ] as const)('%s → %s', (input, expected) => {
    expect(decimalText(input)).toBe(expected)
  })

  it('refuses what is not a number', () => {
    for (const input of ['n/a', '', '1,000', Number.NaN, Number.POSITIVE_INFINITY, '0x10'])
      expect(decimalText(input)).toBeUndefined()
  })
})

describe('fixedDecimal', () => {
  it.each([
    [99.947367, '99.947367'],
    [0.40350500000000006, '0.403505'],
    [37722.9958, '37722.995800'],
    [-6621.0377, '-6621.037700'],
    ['0.0000005', '0.000001'],
    ['0.00000049', '0.000000'],
    [-0.0000004, '0.000000'],
    [123456789.123456, '123456789.123456'],
    ['2367206.947438', '2367206.947438'],
    [1e-7, '0.000000'],
  ] as const)('%s → %s', (input, expected) => {
    expect(fixedDecimal(input)).toBe(expected)
  })
})
