#pragma once

#include <QString>

#include <array>
#include <cstdint>

namespace es {

// One colour per event type in every view (the event table's type marker, Activity's series, the Types dock, time
// travel's timeline): a hash of the type's name picks one of twelve qualitative colours, so a type keeps its colour
// across views, zoom levels, filters and sessions. The colours are mid-light, readable on light and dark backgrounds.
// Colours are 0xRRGGBB (the model has no QColor; the GUI makes one with QColor::fromRgb).
namespace typepalette {

inline constexpr std::array<std::uint32_t, 12> colours { 0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xedc948,
    0xb07aa1, 0xff9da7, 0x9c755f, 0xd37295, 0x8cd17d, 0xa0cbe8 };

// Which of `colours` the type has: FNV-1a of its UTF-8 bytes (qHash is seeded per process, so it would not be stable).
int indexOf(const QString& type);
std::uint32_t rgbOf(const QString& type);

} // namespace typepalette

} // namespace es
