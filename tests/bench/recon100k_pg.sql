-- bench_reconcile's store on PostgreSQL: 100,000 accounts of 20 events in the Emmett layout (load
-- tests/fixtures/layouts/emmett.sql first), appended round by round as a live system leaves them (every account's
-- first event, then every second one...), and the projection's table with the same planted faults as the SQLite
-- store (1 in 1000 rows: a row missing its last event, a wrong balance, or no row at all). Amounts are a fixed
-- function of account and version rather than the SQLite writer's random numbers.
--   createdb -h /work/pgdev/sock -p 55450 -U postgres recon100k
--   psql -h /work/pgdev/sock -p 55450 -U postgres -d recon100k -q -f tests/fixtures/layouts/emmett.sql \
--        -f tests/bench/recon100k_pg.sql
--   bench_reconcile "host=/work/pgdev/sock port=55450 user=postgres dbname=recon100k"
BEGIN;
INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, stream_metadata)
SELECT 'account-' || lpad(a::text, 6, '0'), 20, 'emt:default', 'account', '{}'
FROM generate_series(1, 100000) a;
INSERT INTO emt_messages (stream_id, stream_position, partition, message_data, message_metadata,
                          message_schema_version, message_type, message_kind, message_id, transaction_id, created)
SELECT 'account-' || lpad(a::text, 6, '0'), v, 'emt:default',
       CASE WHEN v = 1 THEN jsonb_build_object('accountId', 'A' || a, 'owner', 'Owner ' || (a - 1), 'kind',
                                               'checking', 'currency', 'EUR')
            ELSE jsonb_build_object('amount', (a * 7919 + v * 104729) % 1000 + 1) END,
       jsonb_build_object('streamName', 'account-' || lpad(a::text, 6, '0'), 'messageId',
                          'm' || ((v - 1) * 100000 + a)),
       '0',
       CASE WHEN v = 1 THEN 'AccountOpened' WHEN (a + v) % 3 <> 0 THEN 'FundsDeposited' ELSE 'FundsWithdrawn' END,
       'E', 'm' || ((v - 1) * 100000 + a), pg_current_xact_id(),
       timestamptz '2024-03-04 00:00:00+00' + ((v - 1) * 100000 + a) * interval '1 second'
FROM generate_series(1, 20) v, generate_series(1, 100000) a
ORDER BY v, a;
COMMIT;

CREATE TABLE account_summaries (id text PRIMARY KEY, owner text NOT NULL, balance bigint NOT NULL,
                                transactions int NOT NULL, last_amount bigint NOT NULL);
WITH m AS (
    SELECT stream_id, stream_position AS v, message_type AS t, (message_data ->> 'amount')::bigint AS amount,
           message_data ->> 'owner' AS owner
    FROM emt_messages WHERE stream_id LIKE 'account-%'),
s AS (
    SELECT stream_id, max(owner) AS owner,
           sum(CASE t WHEN 'FundsDeposited' THEN amount WHEN 'FundsWithdrawn' THEN -amount ELSE 0 END) AS balance,
           sum(CASE WHEN v = 20 THEN 0 WHEN t = 'FundsDeposited' THEN amount WHEN t = 'FundsWithdrawn'
                    THEN -amount ELSE 0 END) AS before_last,
           max(CASE WHEN v = 20 THEN amount END) AS last_amount,
           substr(stream_id, 9)::int - 1 AS a
    FROM m GROUP BY stream_id),
f AS (SELECT s.*, CASE WHEN a % 1000 = 499 THEN (a / 1000) % 3 + 1 ELSE 0 END AS fault FROM s)
INSERT INTO account_summaries
SELECT stream_id, owner, CASE fault WHEN 1 THEN before_last WHEN 2 THEN balance + 1000000 ELSE balance END,
       CASE fault WHEN 1 THEN 18 ELSE 19 END, last_amount
FROM f WHERE fault <> 3;
ANALYZE;
