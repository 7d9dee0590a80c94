#include "hwnas/hw/device.hpp"

namespace hwnas::hw {

std::string to_string(DspKind kind) {
  switch (kind) {
    case DspKind::dsp48e1:
      return "DSP48E1";
    case DspKind::dsp48e2:
      return "DSP48E2";
    case DspKind::sb_mac16:
      return "SB_MAC16";
  }
  return "?";
}

}  // namespace hwnas::hw
