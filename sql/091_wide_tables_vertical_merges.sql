-- Merges of the tables that keep each record's raw JSON (markets, events, positions) go column by
-- column. A horizontal merge reads every column of every part at once, a read buffer each: with the
-- step's small parts (a page of records each) that held 150–250 MiB of the embedded engine per merge
-- of markets at 160,000 markets; merged vertically, at most 83 MiB (system.merges.memory_usage, sampled
-- every 2 s during `backfill --steps markets` against the simulator). The engine picks vertical merges
-- only for parts of 131,072 rows and more by default, which a page-sized part never reaches.
ALTER TABLE markets {{on_cluster}} MODIFY SETTING
    vertical_merge_algorithm_min_rows_to_activate = 1, vertical_merge_algorithm_min_columns_to_activate = 1;
ALTER TABLE events {{on_cluster}} MODIFY SETTING
    vertical_merge_algorithm_min_rows_to_activate = 1, vertical_merge_algorithm_min_columns_to_activate = 1;
ALTER TABLE positions {{on_cluster}} MODIFY SETTING
    vertical_merge_algorithm_min_rows_to_activate = 1, vertical_merge_algorithm_min_columns_to_activate = 1
