-- polyhouse grants: read-only analysts of polymarket (apply with the server's admin account).
CREATE ROLE IF NOT EXISTS polyhouse_analyst ON CLUSTER 'analytics';

CREATE SETTINGS PROFILE OR REPLACE polyhouse_analyst ON CLUSTER 'analytics'
SETTINGS
    readonly = 2 CONST,
    allow_ddl = 0 CONST,
    allow_introspection_functions = 0 CONST,
    max_execution_time = 300 MIN 1 MAX 300,
    max_result_rows = 10000000 MIN 1 MAX 10000000,
    max_memory_usage = 10000000000 MIN 1 MAX 10000000000,
    max_concurrent_queries_for_user = 20 MIN 1 MAX 20
TO polyhouse_analyst;

CREATE QUOTA OR REPLACE polyhouse_analyst ON CLUSTER 'analytics'
KEYED BY user_name
FOR INTERVAL 1 minute MAX queries = 600, errors = 100,
FOR INTERVAL 1 hour MAX queries = 10000, result_rows = 1000000000, read_rows = 100000000000, execution_time = 3600
TO polyhouse_analyst;

GRANT ON CLUSTER 'analytics' SELECT ON polymarket.* TO polyhouse_analyst;

GRANT ON CLUSTER 'analytics' SELECT ON system.databases TO polyhouse_analyst;

GRANT ON CLUSTER 'analytics' SELECT ON system.tables TO polyhouse_analyst;

GRANT ON CLUSTER 'analytics' SELECT ON system.columns TO polyhouse_analyst;

GRANT ON CLUSTER 'analytics' SELECT ON system.functions TO polyhouse_analyst;

CREATE USER IF NOT EXISTS `alice@example.com` ON CLUSTER 'analytics' IDENTIFIED WITH sha256_hash BY '464a86d7fe41f73e37b91701ce4be148d838fbbc41360bc82408bcf5c180a986';

GRANT ON CLUSTER 'analytics' polyhouse_analyst TO `alice@example.com`;

ALTER USER `alice@example.com` ON CLUSTER 'analytics' DEFAULT ROLE polyhouse_analyst;
