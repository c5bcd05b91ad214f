// ConditionalTokens' outcome token ids (ERC-1155 position ids), computed from a condition: what an
// AMM event's `outcomeIndex` means as a token. An FPMM over one condition holds one position per
// outcome slot i, the collection of index set 1 << i under the empty parent collection.
//
// The arithmetic is Gnosis' CTHelpers.sol (gnosis/conditional-tokens-contracts
// contracts/CTHelpers.sol, the version deployed at ConditionalTokens on Polygon): a collection id
// is a point on alt_bn128 found from keccak256(conditionId, indexSet), and a position id is
// keccak256(collateral, collectionId). Polymarket's subgraphs compute the same in
// Polymarket/polymarket-subgraph common/utils/ctf-utils.ts (computeCollectionId, computePositionId);
// the tests hold this file to their test vectors and to a real AMM-era market's clobTokenIds.
import { concat, type Hex, keccak256, numberToHex, pad } from 'viem'

/** The alt_bn128 field modulus (CTHelpers.sol P) and the curve's b in y² = x³ + b. */
const P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n
const B = 3n
/** The bit CTHelpers flips to remember the sign of y (`odd`). */
const ODD_TOGGLE = 1n << 254n

function powMod(base: bigint, exponent: bigint): bigint {
  let result = 1n
  let b = base % P
  let e = exponent
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P
    b = (b * b) % P
    e >>= 1n
  }
  return result
}

/** yy is a square mod P (Euler's criterion), i.e. x is on the curve. */
const isSquare = (yy: bigint) => powMod(yy, (P - 1n) >> 1n) === 1n

/**
 * CTHelpers.getCollectionId(0x0, conditionId, indexSet): the x coordinate of the first curve point at
 * or after keccak256(conditionId ‖ indexSet) + 1, with bit 254 flipped when the hash's top bit is
 * set. With the empty parent there is no point addition.
 */
export function collectionId(conditionId: Hex, indexSet: bigint): Hex {
  const hashed = BigInt(
    keccak256(concat([pad(conditionId, { size: 32 }), numberToHex(indexSet, { size: 32 })])),
  )
  const odd = hashed >> 255n !== 0n
  let x = hashed
  let yy: bigint
  do {
    x = (x + 1n) % P
    yy = (x * ((x * x) % P) + B) % P
  } while (!isSquare(yy))
  if (odd) x ^= ODD_TOGGLE
  return numberToHex(x, { size: 32 })
}

/** CTHelpers.getPositionId(collateral, collectionId) as a decimal string (how token ids are kept). */
export function positionId(collateral: Hex, collection: Hex): string {
  return BigInt(keccak256(concat([collateral, collection]))).toString()
}

/**
 * The token id of each outcome of a single-condition market maker, outcome 0 first: the position of
 * index set 1 << i. `slots` outcomes (an FPMM event names the slot, the creation does not say how
 * many there are, so callers ask for as many as they may need; extra ids are never traded).
 */
export function outcomeTokenIds(collateral: Hex, conditionId: Hex, slots: number): string[] {
  return Array.from({ length: slots }, (_, i) =>
    positionId(collateral, collectionId(conditionId, 1n << BigInt(i))),
  )
}
