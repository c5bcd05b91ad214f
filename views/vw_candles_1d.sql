-- vw_candles_1d: OHLC candles of every outcome token, one row per token and day (UTC) (vw_candles).
CREATE OR REPLACE VIEW vw_candles_1d {{on_cluster}} AS
SELECT * EXCEPT span FROM vw_candles WHERE span = '1d'
