#pragma once

#include "core/payload.h"

#include <QByteArrayView>
#include <QString>

namespace es {

// Whether the head of the bytes holds C0 control characters other than tab, line breaks and form feed: serialized
// binary (Protobuf, CBOR, Java serialization) that may still be valid UTF-8. Payload::sniff shows such bytes as bytes.
bool hasControlBytes(QByteArrayView bytes);

// What binary bytes are, told by their first bytes: "Java serialization", "gzip", "CBOR" (self-described),
// "Erlang term format" or "zlib"; empty when unknown or not binary. Formats without a signature (Protobuf) are named
// by the store's manifest or serializer id, which profiles put in the metadata.
QString binaryFormat(const Payload& payload);

} // namespace es
