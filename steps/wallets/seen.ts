// Where wallets are seen on chain: makers and takers of fills, and either side of an ERC-1155
// transfer of an outcome token (transfers step). Exchanges, the adapter, ConditionalTokens and the
// zero address are not wallets: callers pass NON_WALLET_CONTRACTS as {contracts:Array(String)}.
import { ZERO_ADDRESS } from '../../extract/chain/contracts.ts'

/** (wallet, block_number) of every appearance of a wallet on chain; needs {contracts:Array(String)}. */
export const SEEN_ON_CHAIN_SQL = `
SELECT wallet, block_number
FROM (
    SELECT maker AS wallet, block_number FROM chain_fills
    UNION ALL
    SELECT taker AS wallet, block_number FROM chain_fills
    UNION ALL
    SELECT wallet, block_number FROM chain_transfers_by_wallet
)
WHERE wallet NOT IN {contracts:Array(String)} AND wallet != '${ZERO_ADDRESS}'`

/** The orders the wallets step can fetch in (`--wallet-order`). */
export const WALLET_ORDERS = ['activity', 'recent', 'address'] as const
export type WalletOrder = (typeof WALLET_ORDERS)[number]

/**
 * Per wallet, the figure `--wallet-order` sorts by, largest first: chain rows (fills as maker, and
 * transfer legs) for `activity`, the newest block among them for `recent`. Approximate by design
 * (no FINAL): it only decides which wallets go first.
 */
export function activityScoreSql(order: Exclude<WalletOrder, 'address'>): string {
  const [fills, legs, combine] =
    order === 'activity'
      ? ['count()', 'count()', 'sum(score)']
      : ['max(block_number)', 'max(block_number)', 'max(score)']
  return `
SELECT wallet, ${combine} AS score
FROM (
    SELECT maker AS wallet, toInt64(${fills}) AS score FROM chain_fills_by_wallet GROUP BY maker
    UNION ALL
    SELECT wallet, toInt64(${legs}) AS score FROM chain_transfers_by_wallet GROUP BY wallet
)
GROUP BY wallet`
}
