#include "display/typepalette.h"

namespace es::typepalette {

int indexOf(const QString& type)
{
    std::uint32_t hash = 2166136261u;
    for (const char byte : type.toUtf8()) {
        hash ^= std::uint8_t(byte);
        hash *= 16777619u;
    }
    return int(hash % colours.size());
}

std::uint32_t rgbOf(const QString& type)
{
    return colours[std::size_t(indexOf(type))];
}

} // namespace es::typepalette
