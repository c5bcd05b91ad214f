-- vw_wallet_balances: every wallet's balance of every outcome token, from the chain alone — the sum
-- of its ERC-1155 legs in chain_transfers_by_wallet (received +, sent −): mints from splits, tokens
-- bought and sold through the exchanges, merges, redemptions and plain transfers alike. Shares are
-- exact: the on-chain integer sum (Int128: amounts are below 10^18, quarantined otherwise) divided
-- by 10^6 in Decimal(38, 6). Zero balances are omitted.
-- Not wallets, so left out: the zero address (mint source, burn sink), the four exchanges, the
-- NegRisk adapter, ConditionalTokens itself, the V2 collateral adapters and the NegRisk adapter's
-- NO-token burn address (extract/chain/contracts.ts NON_WALLET_CONTRACTS).
-- `WHERE wallet = …` is one primary-key range of chain_transfers_by_wallet (keyed by the wallet's
-- cityHash64 since sql/090: the engine hashes the constant to find it); all wallets are one pass.
-- Market metadata comes from the token_markets dictionary; a
-- token no market lists keeps empty metadata and market_known = 0.
CREATE OR REPLACE VIEW vw_wallet_balances {{on_cluster}} AS
SELECT
    b.wallet AS wallet,
    b.token_id AS token_id,
    dictGetOrDefault('token_markets', 'condition_id', tuple(b.token_id), '') AS condition_id,
    dictGetOrDefault('token_markets', 'market_id', tuple(b.token_id), toUInt64(0)) AS market_id,
    dictGetOrDefault('token_markets', 'outcome', tuple(b.token_id), '') AS outcome,
    toDecimal128(b.units, 6) / 1000000 AS balance,
    b.units AS balance_units,
    b.legs AS legs,
    b.last_block AS last_block,
    b.last_time AS last_time,
    dictGetOrDefault('token_markets', 'known', tuple(b.token_id), toUInt8(0)) AS market_known
FROM
(
    SELECT
        wallet,
        token_id,
        sum(if(direction > 0, toInt128(amount), -toInt128(amount))) AS units,
        count() AS legs,
        max(block_number) AS last_block,
        max(block_time) AS last_time
    FROM chain_transfers_by_wallet FINAL
    WHERE wallet NOT IN (
        '0x0000000000000000000000000000000000000000',
        '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e',
        '0xc5d563a36ae78145c45a50134d48a1215220f80a',
        '0xe111180000d2663c0091e4f400237545b87b996b',
        '0xe2222d279d744050d28e00520010520000310f59',
        '0xd91e80cf2e7be2e162c6513ced06f1dd0da35296',
        '0x4d97dcd97ec945f40cf65f87097ace5ea0476045',
        '0xada100db00ca00073811820692005400218fce1f',
        '0xada2005600dec949baf300f4c6120000bdb6eaab',
        '0xa5ef39c3d3e10d0b270233af41cac69796b12966'
    )
    GROUP BY wallet, token_id
    HAVING units != 0
) AS b
