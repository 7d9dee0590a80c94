#pragma once
// The network IR: a list of layers in execution order. Each layer reads the previous layer's
// output unless it names its inputs (residual adds name an earlier layer). Plain values: copy
// them, compare them, build them in code or read them from YAML (hwnas::io).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hwnas::ir {

enum class LayerKind {
  conv,  // 2-D convolution; `groups` makes it grouped/depthwise; 1x1 is pointwise
  maxpool,
  avgpool,
  global_avgpool,  // C x H x W -> C x 1 x 1
  batchnorm,
  relu,
  relu6,
  add,      // element-wise sum of two or more inputs of equal shape (residual connections)
  flatten,  // C x H x W -> (C*H*W) x 1 x 1
  linear,   // fully connected; flattens its input implicitly
  // Zeros shaped like its single input, which it never reads: a node of a cell whose incoming
  // edges were all dropped (NAS-Bench-201's `none`). No weights, no MACs; the cost models give it
  // no cycles and no resources, and layers reading it still run.
  zero,
};

std::string_view to_string(LayerKind kind);
std::optional<LayerKind> layer_kind_from_string(std::string_view text);
// Every kind's name, for error messages ("expected one of ...").
std::string layer_kind_names();

// Kinds an accelerator folds into the layer that produces their input (an element-wise scale,
// shift or clamp; flatten only reinterprets the data): they cost no cycles of their own, and
// their input is never stored on its own.
bool fuses_into_producer(LayerKind kind);

// Kinds that take no cycles and no resources of their own on any accelerator: those that fuse
// into their producer, and `zero` (a constant that no unit computes).
bool costs_nothing(LayerKind kind);

inline constexpr int kMinBits = 1;
inline constexpr int kMaxBits = 32;
inline constexpr int kDefaultBits = 16;

// Bit widths of a layer's weights and of its output activations. 32 bits means fp32 in the
// hardware models; 1..31 are fixed point.
struct Bits {
  int weight = kDefaultBits;
  int act = kDefaultBits;
  bool operator==(const Bits&) const = default;
};

// `groups` value meaning "as many groups as input channels" (depthwise), resolved by analyze().
inline constexpr int kDepthwiseGroups = 0;

struct Layer {
  LayerKind kind = LayerKind::relu;
  std::string name;  // unique within the network; assign_default_names() fills empty ones
  // conv: output channels (0 = same as input channels, convenient for depthwise);
  // linear: output features. Unused by other kinds.
  int out = 0;
  int kernel = 1;    // conv, pools
  int stride = 1;    // conv, pools
  int pad = 0;       // conv, pools (zero padding on every side)
  int groups = 1;    // conv only; kDepthwiseGroups = one group per input channel
  bool bias = true;  // conv, linear (PyTorch's default)
  // Names of the layers whose outputs this layer reads; empty = the previous layer's output
  // (the network input for the first layer). `add` needs two or more. The name "input" refers
  // to the network input.
  std::vector<std::string> inputs;
  Bits bits;

  bool operator==(const Layer&) const = default;
  bool has_weights() const { return kind == LayerKind::conv || kind == LayerKind::linear; }
};

// Channels x height x width of one sample's tensor.
struct Shape {
  std::int64_t channels = 0;
  std::int64_t height = 0;
  std::int64_t width = 0;
  std::int64_t elements() const { return channels * height * width; }
  bool operator==(const Shape&) const = default;
};

struct Network {
  std::string name;
  Shape input;
  int batch = 1;
  std::vector<Layer> layers;
  bool operator==(const Network&) const = default;
};

inline constexpr int kNetworkInput = -1;  // producer index of the network input

// What analyze() derives for one layer (per sample; multiply by batch for a whole batch).
struct LayerStats {
  std::vector<int> producers;  // layer indices of the inputs; kNetworkInput for the input
  Shape in;                    // shape of the (first) input
  Shape out;
  int groups = 1;                    // resolved (depthwise expanded)
  std::int64_t macs = 0;             // multiply-accumulates
  std::int64_t params = 0;           // trainable parameters (weights, biases, BN scale and shift)
  std::int64_t weight_bits = 0;      // params x weight bit width (conv/linear weights and biases)
  std::int64_t activation_bits = 0;  // out elements x activation bit width
};

struct NetworkStats {
  std::vector<LayerStats> layers;
  std::int64_t macs = 0;
  std::int64_t params = 0;
  std::int64_t weight_bits = 0;
  std::int64_t peak_activation_bits = 0;  // largest single layer output
  Shape output;
};

// Why a network's shapes do not work out, naming the layer.
struct ShapeProblem {
  int layer = -1;  // index, or -1 for the network as a whole
  std::string layer_name;
  std::string reason;
};

// Gives every unnamed layer the name <kind><index> (e.g. "conv0", "relu1").
void assign_default_names(Network& network);

// Shape inference and counting. An error (unknown input name, channel mismatch, a kernel larger
// than its padded input, bits out of range, ...) comes back as a ShapeProblem, never a crash.
std::variant<NetworkStats, ShapeProblem> try_analyze(const Network& network);

// As try_analyze, but throws hwnas::InputError("<network name>", "layer <name>", reason).
NetworkStats analyze(const Network& network);

}  // namespace hwnas::ir
