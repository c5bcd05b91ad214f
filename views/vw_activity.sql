-- vw_activity: every lifecycle log of chain_activity (sql/040) with the wallet it belongs to.
--   party        who acted as the contract saw it (stakeholder, redeemer, fee receiver, oracle)
--   wallet       party, except for the V2 collateral adapters (CtfCollateralAdapter
--                0xada100db…, NegRiskCtfCollateralAdapter 0xada20056…, extract/chain/contracts.ts):
--                since the 2026 V2 exchanges users split, merge, redeem and convert through them, so
--                the adapter is the party; the user is the wallet whose tokens went to or came from
--                that adapter in the same transaction (chain_transfers), any contract or the zero
--                address aside
--   attribution  'direct' (wallet = party), 'adapter' (the user found), 'adapter_unresolved' (no
--                transfer names one: wallet stays the adapter), 'adapter_ambiguous' (several did:
--                wallet is the lowest address)
-- The transfers are read only for the blocks that hold adapter actions (a primary-key lookup of
-- chain_transfers each).
CREATE OR REPLACE VIEW vw_activity {{on_cluster}} AS
SELECT
    a.block_number AS block_number,
    a.log_index AS log_index,
    a.tx_hash AS tx_hash,
    a.block_time AS block_time,
    a.contract AS contract,
    a.event AS event,
    a.party AS party,
    if(a.via_adapter AND u.users > 0, u.first_user, a.party) AS wallet,
    multiIf(
        NOT a.via_adapter, 'direct',
        u.users = 1, 'adapter',
        u.users > 1, 'adapter_ambiguous',
        'adapter_unresolved'
    ) AS attribution,
    a.condition_id AS condition_id,
    a.collateral AS collateral,
    a.parent_collection_id AS parent_collection_id,
    a.neg_risk_market_id AS neg_risk_market_id,
    a.question_id AS question_id,
    a.index_set AS index_set,
    a.amount AS amount,
    a.payout AS payout,
    a.values AS values,
    a.outcome_slot_count AS outcome_slot_count,
    a.question_index AS question_index,
    a.fee_bips AS fee_bips,
    a.token_id AS token_id
FROM
(
    SELECT
        *,
        party IN ('0xada100db00ca00073811820692005400218fce1f', '0xada2005600dec949baf300f4c6120000bdb6eaab') AS via_adapter
    FROM chain_activity FINAL
) AS a
LEFT JOIN
(
    SELECT block_number, tx_hash, adapter, min(user) AS first_user, uniqExact(user) AS users
    FROM
    (
        SELECT
            block_number,
            tx_hash,
            if(from_address IN ('0xada100db00ca00073811820692005400218fce1f', '0xada2005600dec949baf300f4c6120000bdb6eaab'), from_address, to_address) AS adapter,
            if(from_address IN ('0xada100db00ca00073811820692005400218fce1f', '0xada2005600dec949baf300f4c6120000bdb6eaab'), to_address, from_address) AS user
        FROM chain_transfers FINAL
        WHERE block_number IN (
            SELECT block_number FROM chain_activity
            WHERE party IN ('0xada100db00ca00073811820692005400218fce1f', '0xada2005600dec949baf300f4c6120000bdb6eaab')
        )
          AND (from_address IN ('0xada100db00ca00073811820692005400218fce1f', '0xada2005600dec949baf300f4c6120000bdb6eaab')
               OR to_address IN ('0xada100db00ca00073811820692005400218fce1f', '0xada2005600dec949baf300f4c6120000bdb6eaab'))
    )
    WHERE user NOT IN (
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
    GROUP BY block_number, tx_hash, adapter
) AS u ON u.block_number = a.block_number AND u.tx_hash = a.tx_hash AND u.adapter = a.party
