#pragma once
// Bounds on the values a space spec may hold. The factories reject anything outside them with
// InputError; the YAML reader checks the same bounds so that its errors point at the offending
// list element. The bounds keep every decoded network inside what io::read_network_file accepts,
// so that a decoded network written with io::network_to_yaml reads back.

namespace hwnas::space::limits {

inline constexpr int kMaxInputChannels = 1 << 16;
inline constexpr int kMaxInputSize = 1 << 16;  // height and width
inline constexpr int kMaxClasses = 1 << 20;
inline constexpr int kMaxChannels = 1 << 16;  // filters, widths, stem and head outputs
inline constexpr int kMaxKernel = 31;
inline constexpr int kMaxStride = 8;
inline constexpr int kMaxLayers = 64;     // layered space: largest layer count
inline constexpr int kMaxDepth = 32;      // block space: most blocks in a stage
inline constexpr int kMaxExpansion = 16;  // kMaxChannels * kMaxExpansion stays <= 1 << 20
inline constexpr int kMaxStages = 32;

}  // namespace hwnas::space::limits
