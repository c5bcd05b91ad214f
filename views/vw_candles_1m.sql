-- vw_candles_1m: OHLC candles of every outcome token, one row per token and minute (vw_candles).
CREATE OR REPLACE VIEW vw_candles_1m {{on_cluster}} AS
SELECT * EXCEPT span FROM vw_candles WHERE span = '1m'
