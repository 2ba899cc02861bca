-- Issue 14 benchmark store: 50-message flows planted in a copy of a 10,000,000-message Message DB store, written the
-- way Eventide clients write them. Run against a COPY, never against the shared store:
--   psql "host=/work/pgme/sock port=55451 user=postgres dbname=postgres" -c "CREATE DATABASE flow10m TEMPLATE bench10m"
--   psql -X -v ON_ERROR_STOP=1 "host=/work/pgme/sock port=55451 user=postgres dbname=flow10m" -f plant_flows_messagedb.sql
--
-- The sample writer loads its messages with COPY and installs only the functions it reads with; this adds Message
-- DB's own hash_64, stream_version and write_message (message-db/message-db database/functions/*.sql, as in
-- tests/fixtures/layouts/messagedb.sql) and then appends through write_message only, as a client does.
--
-- Five flows, 50 messages each: a Transfer command in 'transfer:command-p<k>', then 49 messages in seven categories
-- (transfer, account, ledger, notification, fraudCheck, payment) and five streams per category, each following an
-- earlier message of its flow as Messaging::Message::Metadata#follow copies it: correlationStreamName, and
-- causationMessageStreamName / causationMessagePosition / causationMessageGlobalPosition of the message followed
-- (message i follows message (i - 1) / 2: a binary tree, 49 causation edges, all resolvable). Keys with no value are
-- omitted, as Eventide's writer drops nil attributes. Between consecutive steps the other traffic goes on: messages of
-- the store replayed from global position 1 through write_message (new ids, the next position of their stream).
-- Flows 1-2 interleave with 200 messages per step (about 10,000 positions), flows 3-4 with 2,000 (100,000), flow 5
-- with 8,000 (400,000). One transaction per step, so message times advance as they would.
SET search_path = message_store, public;

CREATE OR REPLACE FUNCTION message_store.hash_64(stream_name varchar) RETURNS bigint AS $$
DECLARE
  _hash bigint;
BEGIN
  SELECT left('x' || md5(hash_64.stream_name), 17)::bit(64)::bigint INTO _hash;
  return _hash;
END;
$$ LANGUAGE plpgsql IMMUTABLE;

CREATE OR REPLACE FUNCTION message_store.stream_version(stream_name varchar) RETURNS bigint AS $$
DECLARE
  _stream_version bigint;
BEGIN
  SELECT max(position) into _stream_version FROM messages WHERE messages.stream_name = stream_version.stream_name;
  RETURN _stream_version;
END;
$$ LANGUAGE plpgsql VOLATILE;

CREATE OR REPLACE FUNCTION message_store.write_message(
  id varchar, stream_name varchar, "type" varchar, data jsonb, metadata jsonb DEFAULT NULL,
  expected_version bigint DEFAULT NULL
) RETURNS bigint AS $$
DECLARE
  message_id uuid;
  stream_version bigint;
  position bigint;
  category varchar;
  stream_name_hash bigint;
BEGIN
  message_id = uuid(write_message.id);
  category := category(write_message.stream_name);
  stream_name_hash := hash_64(category);
  PERFORM pg_advisory_xact_lock(stream_name_hash);
  stream_version := stream_version(write_message.stream_name);
  if stream_version is null then
    stream_version := -1;
  end if;
  if write_message.expected_version is not null then
    if write_message.expected_version != stream_version then
      raise exception 'Wrong expected version: % (Stream: %, Stream Version: %)',
        write_message.expected_version, write_message.stream_name, stream_version;
    end if;
  end if;
  position := stream_version + 1;
  insert into "messages" ("id", "stream_name", "position", "type", "data", "metadata")
  values (message_id, write_message.stream_name, position, write_message.type, write_message.data,
    write_message.metadata);
  return position;
END;
$$ LANGUAGE plpgsql VOLATILE;

-- What the writer knows of each message it wrote (the client reads a message's global position when it handles it).
CREATE TEMP TABLE planted (flow int, step int, stream text, pos bigint, gpos bigint, PRIMARY KEY (flow, step));

DO $$
DECLARE
  phase record;
  fk int;
  fi int;
  s int;
  src bigint := 0;
  cats text[] := ARRAY['transfer', 'account', 'account', 'ledger', 'notification', 'fraudCheck', 'payment'];
  types text[] := ARRAY['TransferProgressed', 'Withdrawn', 'Deposited', 'Posted', 'Sent', 'Checked', 'Captured'];
  parent record;
  r record;
  st text;
  ty text;
  meta jsonb;
  mid uuid;
  p bigint;
  g bigint;
BEGIN
  FOR phase IN SELECT * FROM (VALUES (1, 2, 200), (3, 4, 2000), (5, 5, 8000)) v(first, last, spread) LOOP
    FOR fi IN 0..49 LOOP
      FOR fk IN phase.first..phase.last LOOP
        IF fi = 0 THEN
          st := 'transfer:command-p' || fk;
          ty := 'Transfer';
          meta := jsonb_build_object('correlationStreamName', 'transfer-p' || fk);
        ELSE
          SELECT * INTO parent FROM planted WHERE planted.flow = fk AND planted.step = (fi - 1) / 2;
          st := cats[1 + fi % 7] || '-p' || fk || 'x' || (fi % 5);
          ty := types[1 + fi % 7];
          meta := jsonb_build_object('correlationStreamName', 'transfer-p' || fk,
            'causationMessageStreamName', parent.stream, 'causationMessagePosition', parent.pos,
            'causationMessageGlobalPosition', parent.gpos);
        END IF;
        mid := gen_random_uuid();
        p := write_message(mid::text, st, ty, jsonb_build_object('flow', fk, 'step', fi), meta);
        SELECT global_position INTO g FROM messages WHERE id = mid;
        INSERT INTO planted VALUES (fk, fi, st, p, g);
      END LOOP;
      FOR s IN 1..phase.spread LOOP
        src := src + 1;
        SELECT * INTO r FROM messages WHERE global_position = src;
        PERFORM write_message(gen_random_uuid()::text, r.stream_name, r.type, r.data, r.metadata);
      END LOOP;
      COMMIT;
    END LOOP;
  END LOOP;
END $$;

ANALYZE message_store.messages;
SELECT flow, 'transfer-p' || flow AS correlation, min(gpos) AS first, max(gpos) AS last, count(*) AS messages,
  (SELECT gpos FROM planted p2 WHERE p2.flow = p1.flow AND p2.step = 25) AS middle
FROM planted p1 GROUP BY flow ORDER BY flow;
