-- vw_candles_1h: OHLC candles of every outcome token, one row per token and hour (vw_candles).
CREATE OR REPLACE VIEW vw_candles_1h {{on_cluster}} AS
SELECT * EXCEPT span FROM vw_candles WHERE span = '1h'
