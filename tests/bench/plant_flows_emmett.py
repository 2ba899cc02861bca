#!/usr/bin/env python3
"""Issue 14 benchmark store: 50-event flows planted in a COPY of a 10,000,000-event Emmett SQLite store.

    cp /work/bench/flow10m.sqlite /work/bench/flow10m-h14.sqlite
    python3 plant_flows_emmett.py /work/bench/flow10m-h14.sqlite

Every message is appended as Emmett's appendToStream (emmett-sqlite schema/appendToStream.ts) appends one: the
stream row created or its stream_position advanced, then the message with the next stream position, message_kind
'E', message_schema_version the stream's expected version, an id Emmett assigns (a new uuid, also in the metadata
as messageId), created left to its CURRENT_TIMESTAMP default, and the metadata as the sample writer builds it
(streamName, messageId, streamPosition as a string, correlationId, causationId, then the application's keys).

Five flows of 50 events each, in seven categories and five streams per category: event i is caused by event
(i - 1) / 2 of its flow (causationId = the messageId Emmett gave that event), event 0 by a command whose id Emmett
never stored (an unresolved cause). Between consecutive steps the other traffic goes on: the store's own events
replayed from global position 1 (new ids, the next position of their stream). Flows 1-2 interleave with 200 events
per step (about 10,000 positions), flows 3-4 with 2,000 (100,000), flow 5 with 8,000 (400,000). The appends of one
step share a transaction (the rows are the same as with one per append; synchronous=OFF since the copy is scratch).
Prints, per flow, its correlation id and first, middle (step 25) and last global positions.
"""
import json
import sqlite3
import sys
import uuid

PARTITION = "emt:default"
CATEGORIES = ["transfer", "account", "account", "ledger", "notification", "fraudCheck", "payment"]
TYPES = ["TransferProgressed", "Withdrawn", "Deposited", "Posted", "Sent", "Checked", "Captured"]
PHASES = [(1, 2, 200), (3, 4, 2000), (5, 5, 8000)]
STEPS = 50


def main(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    rng = uuid.UUID(int=0x14)  # deterministic correlation and command ids; message ids are random as Emmett's are

    def append(stream, type_, data, correlation, causation, extra):
        row = db.execute(
            "SELECT stream_position FROM emt_streams WHERE stream_id = ? AND partition = ? AND is_archived = 0",
            (stream, PARTITION)).fetchone()
        current = row[0] if row else 0
        if row is None:
            stream_type = stream.split("-")[0] if stream.find("-") > 0 else "emt:unknown"
            db.execute("INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, stream_metadata, "
                       "is_archived) VALUES (?, 1, ?, ?, '[]', 0)", (stream, PARTITION, stream_type))
        else:
            db.execute("UPDATE emt_streams SET stream_position = stream_position + 1 WHERE stream_id = ? AND "
                       "stream_position = ? AND partition = ? AND is_archived = 0", (stream, current, PARTITION))
        message_id = str(uuid.uuid4())
        metadata = {"streamName": stream, "messageId": message_id, "streamPosition": "1",
                    "correlationId": correlation, "causationId": causation}
        metadata.update(extra)
        cur = db.execute(
            "INSERT INTO emt_messages (stream_id, stream_position, partition, message_kind, message_data, "
            "message_metadata, message_schema_version, message_type, message_id, is_archived) "
            "VALUES (?, ?, ?, 'E', ?, ?, ?, ?, ?, 0)",
            (stream, current + 1, PARTITION, data, json.dumps(metadata, separators=(",", ":")), str(current), type_,
             message_id))
        return message_id, cur.lastrowid

    planted = {}  # (flow, step) -> (message id, global position)
    source = 0
    for first, last, spread in PHASES:
        for step in range(STEPS):
            db.execute("BEGIN IMMEDIATE")
            for flow in range(first, last + 1):
                correlation = str(uuid.UUID(int=rng.int * 1000 + flow))
                if step == 0:
                    stream, type_ = "transfer-p%d" % flow, "TransferRequested"
                    cause = str(uuid.UUID(int=rng.int * 1000 + 100 + flow))  # the command's id
                else:
                    stream = "%s-p%dx%d" % (CATEGORIES[step % 7], flow, step % 5)
                    type_ = TYPES[step % 7]
                    cause = planted[(flow, (step - 1) // 2)][0]
                data = json.dumps({"flow": flow, "step": step}, separators=(",", ":"))
                planted[(flow, step)] = append(stream, type_, data, correlation, cause, {"userId": "u-plant"})
            for _ in range(spread):
                source += 1
                stream, type_, data, meta = db.execute(
                    "SELECT stream_id, message_type, message_data, message_metadata FROM emt_messages "
                    "WHERE global_position = ?", (source,)).fetchone()
                m = json.loads(meta)
                extra = {k: v for k, v in m.items()
                         if k not in ("streamName", "messageId", "streamPosition", "correlationId", "causationId")}
                append(stream, type_, data, m.get("correlationId"), m.get("causationId"), extra)
            db.execute("COMMIT")
    for flow in range(1, 6):
        positions = [planted[(flow, s)][1] for s in range(STEPS)]
        print("flow %d correlation %s first %d middle %d last %d events %d" % (
            flow, str(uuid.UUID(int=rng.int * 1000 + flow)), min(positions), planted[(flow, 25)][1], max(positions),
            len(positions)))


if __name__ == "__main__":
    main(sys.argv[1])
