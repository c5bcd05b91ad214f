// Exact decimal text for amounts that arrive as JSON numbers or numeric strings.
//
// Why text: by the time a schema sees `"size": 99.947367`, JSON.parse has made it a binary double.
// Number#toString gives the shortest decimal that round-trips to that double, which is the API's
// own text whenever it had at most 15 significant digits (every USDC or share amount below a
// billion with 6 decimals). We take that text and, for money and shares, round it to 6 places in
// decimal arithmetic (half away from zero): `99.947367` stays `99.947367`, the float noise of
// `0.40350500000000006` becomes `0.403505`. No float arithmetic ever touches the value, and the
// result loads into Decimal(18,6) exactly. Prices and ratios (`0.1899999927`) keep their full
// shortest text instead: they are not amounts, and rounding would change what the API said.

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** Plain decimal text (no exponent, no leading +, no trailing fraction zeros) or undefined. */
export function decimalText(value: number | string): string | undefined {
  let text: string
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined
    text = String(value)
  } else {
    text = value.trim()
    if (!NUMERIC.test(text)) return undefined
  }
  return normalize(text)
}

/** Decimal text rounded to `places` decimals, always printed with exactly `places` digits. */
export function fixedDecimal(value: number | string, places = 6): string | undefined {
  const text = decimalText(value)
  if (text === undefined) return undefined
  const negative = text.startsWith('-')
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.')
  const digits = `${whole}${fraction.padEnd(places + 1, '0').slice(0, places + 1)}`
  // Keep one extra digit for rounding, then round half away from zero in base 10.
  let scaled = BigInt(digits.slice(0, -1) || '0')
  if (Number(digits.slice(-1)) >= 5) scaled += 1n
  const padded = scaled.toString().padStart(places + 1, '0')
  const result = places === 0 ? padded : `${padded.slice(0, -places)}.${padded.slice(-places)}`
  return negative && scaled !== 0n ? `-${result}` : result
}

/** Expands exponent notation and trims redundant zeros: `1e-7` → `0.0000001`, `-0.50` → `-0.5`. */
function normalize(text: string): string {
  let negative = false
  if (text.startsWith('-') || text.startsWith('+')) {
    negative = text.startsWith('-')
    text = text.slice(1)
  }
  const [mantissa = '', exponentText] = text.toLowerCase().split('e')
  const exponent = Number(exponentText ?? 0)
  const [whole = '', fraction = ''] = mantissa.split('.')
  let digits = `${whole}${fraction}`
  let point = whole.length + exponent
  if (point < 0) {
    digits = '0'.repeat(-point) + digits
    point = 0
  }
  if (point > digits.length) digits = digits.padEnd(point, '0')
  const intPart = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0'
  const fracPart = digits.slice(point).replace(/0+$/, '')
  const out = fracPart ? `${intPart}.${fracPart}` : intPart
  return negative && out !== '0' ? `-${out}` : out
}
