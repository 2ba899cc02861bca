#include "test_pg_writers.h"

#include <pqxx/pqxx>

#include <chrono>
#include <random>
#include <thread>

namespace es::test {

const char* const kSharedCategory = "tailshared";

bool sharedCategoryWriter(PgLayout layout, int index)
{
    return layout == PgLayout::MessageDbCategory && index < 4;
}

bool serialisedLayout(PgLayout layout, int index)
{
    return layout == PgLayout::Commanded || layout == PgLayout::EventSourcing || sharedCategoryWriter(layout, index);
}

namespace {

struct Types {
    const char* main;
    const char* alt;
};

Types typesOf(PgLayout layout)
{
    switch (layout) {
    case PgLayout::Marten:
        return { "written", "noted" };
    case PgLayout::Commanded:
        return { "Elixir.Tail.Written", "Elixir.Tail.Noted" };
    case PgLayout::Axon:
    case PgLayout::AxonJpa:
        return { "com.example.Written", "com.example.Noted" };
    case PgLayout::EventSourcing:
        return { "tail.domain:Account.Written", "tail.domain:Account.Noted" };
    case PgLayout::RailsEventStore:
        return { "Tail::Written", "Tail::Noted" };
    default:
        return { "Written", "Noted" };
    }
}

// eventsourcing keeps no event id: its events are named by originator (a uuid per writer) and version.
QString originatorOf(int index)
{
    return QStringLiteral("00000000-0000-4000-9000-%1").arg(index, 12, 10, QLatin1Char('0'));
}

} // namespace

QString pgMainType(PgLayout layout)
{
    return QString::fromLatin1(typesOf(layout).main);
}

QString pgWrittenIdentity(PgLayout layout, const Event& event)
{
    if (layout == PgLayout::EventSourcing)
        return event.stream + u'#' + QString::number(event.version);
    return event.id;
}

std::string commandedAppend(const QStringList& ids, const std::string& stream, long streamId, long version)
{
    return commandedAppendTyped(ids, {}, stream, streamId, version);
}

std::string commandedAppendTyped(
    const QStringList& ids, const QStringList& types, const std::string& stream, long streamId, long version)
{
    const int n = int(ids.size());
    std::string values;
    for (int i = 0; i < n; ++i) {
        const std::string type = i < types.size() ? types[i].toStdString() : std::string("Elixir.Tail.Written");
        values += (i ? ", ('" : "('") + ids[i].toStdString() + "'::uuid, '" + type + "', NULL::uuid, NULL::uuid, "
            + "convert_to('{}', 'UTF8'), convert_to('{}', 'UTF8'), now(), " + std::to_string(i + 1) + "::int, "
            + std::to_string(version + i + 1) + "::bigint)";
    }
    const std::string count = std::to_string(n);
    const std::string streamCte = streamId > 0 ? "UPDATE streams SET stream_version = stream_version + " + count
            + "::bigint WHERE stream_id = " + std::to_string(streamId) + "::bigint RETURNING stream_id"
                                               : "INSERT INTO streams (stream_uuid, stream_version) VALUES ('" + stream
            + "', " + count + "::bigint) RETURNING stream_id";
    return "WITH new_events (event_id, event_type, causation_id, correlation_id, data, metadata, created_at, index, "
           "stream_version) AS (VALUES "
        + values
        + "), events AS (INSERT INTO events (event_id, event_type, causation_id, correlation_id, data, metadata, "
          "created_at) SELECT event_id, event_type, causation_id, correlation_id, data, metadata, created_at FROM "
          "new_events), stream AS ("
        + streamCte
        + "), source_stream_events AS (INSERT INTO stream_events (event_id, stream_id, stream_version, "
          "original_stream_id, original_stream_version) SELECT new_events.event_id, stream.stream_id, "
          "new_events.stream_version, stream.stream_id, new_events.stream_version FROM new_events, stream), "
          "linked_stream AS (UPDATE streams SET stream_version = stream_version + "
        + count + "::bigint WHERE stream_id = 0 RETURNING stream_version - " + count
        + "::bigint AS initial_stream_version) INSERT INTO stream_events (event_id, stream_id, stream_version, "
          "original_stream_id, original_stream_version) SELECT new_events.event_id, 0, "
          "linked_stream.initial_stream_version + new_events.index, stream.stream_id, new_events.stream_version FROM "
          "new_events, linked_stream, stream";
}

void pgLayoutWriter(const std::string& address, PgLayout layout, int index, int events, unsigned seed,
    PgWriteOutcome& out, std::mutex& m, const PgWriterOptions& options)
{
    pqxx::connection conn(address);
    if (layout == PgLayout::MessageDb || layout == PgLayout::MessageDbCategory) {
        pqxx::nontransaction setup(conn);
        setup.exec0("SET search_path TO message_store, public"); // as Message DB's clients connect
    }
    const bool serialised = serialisedLayout(layout, index);
    if (serialised) {
        // Writers that queue on one lock would each wait for the others' WAL flush: keep the round short. The
        // order in which transactions commit and become visible is the same.
        pqxx::nontransaction setup(conn);
        setup.exec0("SET synchronous_commit TO off");
    }
    const Types types = typesOf(layout);
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> size(1, 12), pause(0, 15), shortPause(0, 2), roll(0, 9);
    const std::string stream = sharedCategoryWriter(layout, index)
        ? std::string(kSharedCategory) + "-" + std::to_string(index)
        : "tail" + std::to_string(index) + "-1";
    const std::string originator = originatorOf(index).toStdString();
    int written = 0;
    int transactions = 0;
    long version = 0; // stream version of the last committed event
    long commandedStream = 0; // Commanded's stream_id once the stream's creation committed
    long serial = 0;
    while (written < events) {
        const int n = std::min(size(rng), events - written);
        const bool rollback = roll(rng) == 0;
        const bool hold = options.holdEvery > 0 && index == 0 && !serialised && ++transactions % options.holdEvery == 0;
        QStringList ids, kinds;
        QList<bool> main;
        pqxx::work tx(conn);
        if (serialised)
            std::this_thread::sleep_for(std::chrono::milliseconds(pause(rng)));
        if (layout == PgLayout::EventSourcing)
            tx.exec0("LOCK TABLE public.bankaccounts_events IN EXCLUSIVE MODE"); // as PostgresApplicationRecorder
        std::vector<long> jpaIndexes;
        if (layout == PgLayout::AxonJpa) {
            // Hibernate takes the ids when the entities are persisted; the rows are inserted at flush.
            for (int i = 0; i < n; ++i)
                jpaIndexes.push_back(tx.exec1("select nextval ('hibernate_sequence')")[0].as<long>());
        }
        long v = version;
        for (int i = 0; i < n; ++i) {
            // Message DB, Marten, Eventuous, Commanded and RES take uuids; Emmett and Axon any text.
            const QString uuid
                = QStringLiteral("00000000-0000-4000-8000-%1")
                      .arg(qulonglong(index) * 100000000ULL + qulonglong(serial), 12, 16, QLatin1Char('0'));
            const bool isMain = serial++ % 3 != 2;
            const std::string type = isMain ? types.main : types.alt;
            const std::string id = uuid.toStdString();
            main.append(isMain);
            kinds.append(QString::fromStdString(type));
            if (layout == PgLayout::MessageDb || layout == PgLayout::MessageDbCategory) {
                // A category per writer in the log round: write_message locks per category, which would serialise
                // the writers.
                tx.exec_params("SELECT message_store.write_message($1, $2, $3, '{}'::jsonb)", id, stream, type);
            } else if (layout == PgLayout::Marten) {
                // Marten's append: the stream row's version, then the events with seq_id from mt_events_sequence.
                if (i == 0)
                    tx.exec_params("INSERT INTO mt_streams (tenant_id, id, type, version) VALUES ('*DEFAULT*', $1, "
                                   "'tail', $2) ON CONFLICT (tenant_id, id) DO UPDATE SET version = excluded.version",
                        stream, v + n);
                tx.exec_params("INSERT INTO mt_events (data, type, mt_dotnet_type, seq_id, id, stream_id, version, "
                               "timestamp, tenant_id) VALUES ('{}', $4, 'Written', "
                               "nextval('mt_events_sequence'), $1::uuid, $2, $3, now(), '*DEFAULT*')",
                    id, stream, ++v, type);
            } else if (layout == PgLayout::Eventuous) {
                // append_events: the stream row (created when missing), the messages at version + 1 + i, then the
                // stream's version; global_position is an identity column.
                if (i == 0)
                    tx.exec_params(
                        "INSERT INTO eventuous.streams (stream_name) VALUES ($1) ON CONFLICT (stream_name) DO NOTHING",
                        stream);
                tx.exec_params("INSERT INTO eventuous.messages (message_id, message_type, stream_id, stream_position, "
                               "json_data, json_metadata, created) SELECT $1::uuid, $4, stream_id, $3, '{}', "
                               "'{}', now() AT TIME ZONE 'utc' FROM eventuous.streams WHERE stream_name = $2",
                    id, stream, v++, type);
                if (i == n - 1)
                    tx.exec_params("UPDATE eventuous.streams SET version = $2 WHERE stream_name = $1", stream, v - 1);
            } else if (layout == PgLayout::Axon) {
                // Axon's JdbcEventStorageEngine appends a unit of work's events in one transaction, globalIndex from
                // the BIGSERIAL; Jackson JSON payloads in BYTEA, Instant.toString() timestamps.
                tx.exec_params("INSERT INTO DomainEventEntry (aggregateIdentifier, sequenceNumber, type, "
                               "eventIdentifier, metaData, payload, payloadRevision, payloadType, timeStamp) VALUES "
                               "($1, $2, 'Tail', $3, convert_to('{}', 'UTF8'), convert_to('{}', 'UTF8'), NULL, "
                               "$4, to_char(now() AT TIME ZONE 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))",
                    stream, v++, id, type);
            } else if (layout == PgLayout::AxonJpa) {
                // The JPA entity: @Lob payload and metadata as large objects, global_index from the sequence above.
                tx.exec_params(
                    "insert into domain_event_entry (global_index, event_identifier, meta_data, payload, "
                    "payload_revision, payload_type, time_stamp, aggregate_identifier, sequence_number, "
                    "type) values ($1, $2, lo_from_bytea(0, convert_to('<meta-data/>', 'UTF8')), "
                    "lo_from_bytea(0, convert_to('<com.example.Written/>', 'UTF8')), null, $3, "
                    "to_char(now() AT TIME ZONE 'utc', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), $4, $5, 'Tail')",
                    jpaIndexes[std::size_t(i)], id, type, stream, v++);
            } else if (layout == PgLayout::Emmett) {
                tx.exec_params("INSERT INTO emt_messages (stream_id, stream_position, partition, message_data, "
                               "message_metadata, message_schema_version, message_type, message_kind, message_id, "
                               "transaction_id) VALUES ($1, $2, 'emt:default', '{}', '{}', '0', $4, 'E', $3, "
                               "pg_current_xact_id())",
                    stream, ++v, id, type);
            } else if (layout == PgLayout::EventSourcing) {
                tx.exec_params("INSERT INTO public.bankaccounts_events (originator_id, originator_version, topic, "
                               "state) VALUES ($1::uuid, $2, $3, convert_to('{}', 'UTF8'))",
                    originator, ++v, type);
            } else if (layout == PgLayout::RailsEventStore) {
                // ActiveRecord: the event, then its link; even writers append with expected_version :any (no
                // position: the stream orders by the link id), odd ones at their next position.
                tx.exec_params("INSERT INTO event_store_events (event_id, event_type, metadata, data, created_at) "
                               "VALUES ($1::uuid, $2, NULL, convert_to('{}', 'UTF8'), now())",
                    id, type);
                if (index % 2 == 0)
                    tx.exec_params("INSERT INTO event_store_events_in_streams (stream, position, event_id, "
                                   "created_at) VALUES ($1, NULL, $2::uuid, now())",
                        stream, id);
                else
                    tx.exec_params("INSERT INTO event_store_events_in_streams (stream, position, event_id, "
                                   "created_at) VALUES ($1, $2, $3::uuid, now())",
                        stream, v++, id);
            }
            ids.append(layout == PgLayout::EventSourcing ? originatorOf(index) + u'#' + QString::number(v) : uuid);
        }
        if (layout == PgLayout::Commanded) {
            // One statement per append, as Commanded runs it.
            tx.exec0(commandedAppendTyped(ids, kinds, stream, commandedStream, v));
            v += n;
            if (commandedStream == 0)
                commandedStream
                    = tx.exec1("SELECT stream_id FROM streams WHERE stream_uuid = " + tx.quote(stream))[0].as<long>();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(hold ? options.holdMs
                : serialised                                       ? shortPause(rng)
                                                                   : pause(rng)));
        if (rollback) {
            tx.abort();
            if (version == 0)
                commandedStream = 0; // the stream's creation rolled back with it
        } else {
            tx.commit();
            written += n;
            version = v;
        }
        std::lock_guard<std::mutex> lock(m);
        out.rollbacks += rollback ? 1 : 0;
        for (int i = 0; i < ids.size(); ++i) {
            if (rollback) {
                out.rolledBack.insert(ids[i]);
            } else {
                out.rolledBack.remove(ids[i]); // eventsourcing names a version again once a rollback freed it
                out.committed.insert(ids[i]);
                if (main[i])
                    out.mainType.insert(ids[i]);
            }
        }
    }
}

} // namespace es::test
