-- polyhouse grants: read-only analysts of default (apply with the server's admin account).
CREATE ROLE IF NOT EXISTS polyhouse_analyst;

CREATE SETTINGS PROFILE OR REPLACE polyhouse_analyst
SETTINGS
    readonly = 2 CONST,
    allow_ddl = 0 CONST,
    allow_introspection_functions = 0 CONST,
    max_execution_time = 120 MIN 1 MAX 120,
    max_result_rows = 10000000 MIN 1 MAX 10000000,
    max_memory_usage = 10000000000 MIN 1 MAX 10000000000,
    max_concurrent_queries_for_user = 20 MIN 1 MAX 20
TO polyhouse_analyst;

CREATE QUOTA OR REPLACE polyhouse_analyst
KEYED BY user_name
FOR INTERVAL 1 minute MAX queries = 600, errors = 100,
FOR INTERVAL 1 hour MAX queries = 10000, result_rows = 1000000000, read_rows = 100000000000, execution_time = 3600
TO polyhouse_analyst;

GRANT SELECT ON default.* TO polyhouse_analyst;

GRANT SELECT ON system.databases TO polyhouse_analyst;

GRANT SELECT ON system.tables TO polyhouse_analyst;

GRANT SELECT ON system.columns TO polyhouse_analyst;

GRANT SELECT ON system.functions TO polyhouse_analyst;
