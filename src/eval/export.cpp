#include "hwnas/eval/export.hpp"

#include <torch/script.h>

#include <bit>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "hwnas/core/error.hpp"
#include "hwnas/eval/fake_quant.hpp"
#include "hwnas/eval/torch_network.hpp"

namespace hwnas::eval {

namespace {

using ir::LayerKind;

// The sidecar holds the tensors' memory as it is, which is little-endian only on such a host.
static_assert(std::endian::native == std::endian::little, "exports assume a little-endian host");

struct LayerTensors {
  torch::Tensor weight;                                  // conv/linear: the raw trained weights
  torch::Tensor bias;                                    // conv/linear, undefined without a bias
  torch::Tensor gamma, beta, running_mean, running_var;  // batchnorm
  double eps = 0;
};

LayerTensors tensors_of(TorchNetworkImpl& model, int index) {
  LayerTensors t;
  switch (model.network().layers[index].kind) {
    case LayerKind::conv: {
      auto& conv = dynamic_cast<torch::nn::Conv2dImpl&>(model.layer_module(index));
      t.weight = conv.weight.detach();
      if (model.network().layers[index].bias) t.bias = conv.bias.detach();
      break;
    }
    case LayerKind::linear: {
      auto& fc = dynamic_cast<torch::nn::LinearImpl&>(model.layer_module(index));
      t.weight = fc.weight.detach();
      if (model.network().layers[index].bias) t.bias = fc.bias.detach();
      break;
    }
    case LayerKind::batchnorm: {
      auto& bn = dynamic_cast<torch::nn::BatchNorm2dImpl&>(model.layer_module(index));
      t.gamma = bn.weight.detach();
      t.beta = bn.bias.detach();
      t.running_mean = bn.running_mean.detach();
      t.running_var = bn.running_var.detach();
      t.eps = bn.options.eps();
      break;
    }
    default:
      break;
  }
  return t;
}

// A TorchScript attribute name: layer names come from YAML and may hold any character.
std::string identifier(const std::string& text) {
  std::string out;
  for (const char c : text) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

std::string pair(int v) {
  return "[" + std::to_string(v) + ", " + std::to_string(v) + "]";
}

// A double as text that reads back as the same double (17 significant digits).
std::string literal(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  std::string text = s.str();
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

// fake_quantize_per_tensor (fake_quant.cpp) op for op, with the same scalar types, so that the
// scripted forward runs the same ATen kernels on the same values. The final x + (q - x) is the
// value of the straight-through estimator there; it is not always bit-equal to q.
constexpr const char* kFakeQuantSource = R"(
def fake_quant(self, x: Tensor, bits: int) -> Tensor:
    if bits == 1:
        scale = x.abs().mean().clamp_min(1e-12)
        q = x.sign() * scale
    else:
        levels = 2.0 ** (bits - 1) - 1.0
        scale = (x.abs().max() / levels).clamp_min(1e-12)
        q = torch.clamp(torch.round(x / scale), -levels, levels) * scale
    return x + (q - x)
)";

// The TorchScript forward: one statement per layer, the same ATen calls that
// TorchNetworkImpl::forward makes through torch::nn::functional, in the same order.
std::string forward_source(TorchNetworkImpl& model, const std::vector<std::string>& prefixes) {
  const ir::Network& net = model.network();
  const ir::NetworkStats& stats = model.stats();
  auto value = [](int producer) {
    return producer == ir::kNetworkInput ? std::string("x") : "t" + std::to_string(producer);
  };
  std::ostringstream src;
  src << "def forward(self, x: Tensor) -> Tensor:\n";
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const ir::Layer& layer = net.layers[i];
    const ir::LayerStats& s = stats.layers[i];
    const std::string out = "t" + std::to_string(i);
    const std::string in = value(s.producers.front());
    const std::string self = "self." + prefixes[i];
    src << "    " << out << " = ";
    switch (layer.kind) {
      case LayerKind::conv:
        src << "torch.conv2d(" << in << ", " << self << "_weight, "
            << (layer.bias ? self + "_bias" : "None") << ", " << pair(layer.stride) << ", "
            << pair(layer.pad) << ", [1, 1], " << s.groups << ")\n";
        break;
      case LayerKind::linear:
        // F::linear on a 2-D input: addmm with a bias, matmul without.
        if (layer.bias) {
          src << "torch.addmm(" << self << "_bias, " << in << ".flatten(1), " << self
              << "_weight.t())\n";
        } else {
          src << "torch.matmul(" << in << ".flatten(1), " << self << "_weight.t())\n";
        }
        src << "    " << out << " = " << out << ".view([" << out << ".size(0), " << out
            << ".size(1), 1, 1])\n";
        break;
      case LayerKind::batchnorm:
        // Eval mode: the running statistics; momentum is unused. Every value in the forward
        // is N x C x H x W (linear and flatten outputs are viewed as N x C x 1 x 1), so the
        // forward's view of other inputs never applies. The last argument is cuDNN's default
        // setting, as the C++ forward passes it.
        src << "torch.batch_norm(" << in << ", " << self << "_gamma, " << self << "_beta, " << self
            << "_running_mean, " << self << "_running_var, False, 0.1, "
            << literal(tensors_of(model, static_cast<int>(i)).eps) << ", True)\n";
        break;
      case LayerKind::relu:
        src << "torch.relu(" << in << ")\n";
        break;
      case LayerKind::relu6:
        src << "torch.clamp(" << in << ", 0, 6)\n";
        break;
      case LayerKind::maxpool:
        src << "torch.max_pool2d(" << in << ", " << pair(layer.kernel) << ", " << pair(layer.stride)
            << ", " << pair(layer.pad) << ", [1, 1], False)\n";
        break;
      case LayerKind::avgpool:
        src << "torch.avg_pool2d(" << in << ", " << pair(layer.kernel) << ", " << pair(layer.stride)
            << ", " << pair(layer.pad) << ", False, True, None)\n";
        break;
      case LayerKind::global_avgpool:
        src << in << ".mean([2, 3], True)\n";
        break;
      case LayerKind::add:
        // Left to right, as the C++ loop sums.
        src << in;
        for (std::size_t k = 1; k < s.producers.size(); ++k) src << " + " << value(s.producers[k]);
        src << "\n";
        break;
      case LayerKind::flatten:
        src << in << ".reshape([" << in << ".size(0), -1, 1, 1])\n";
        break;
      case LayerKind::zero:
        src << "torch.zeros_like(" << in << ")\n";
        break;
    }
    if (model.materialized(static_cast<int>(i)) && layer.bits.act < 32) {
      src << "    " << out << " = self.fake_quant(" << out << ", " << layer.bits.act << ")\n";
    }
  }
  src << "    return t" << net.layers.size() - 1 << ".flatten(1)\n";
  return src.str();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw InputError(path, "", "cannot write file");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw InputError(path, "", "cannot write file");
}

// Appends tensors to the sidecar's bytes and describes where each one went.
class Sidecar {
 public:
  nlohmann::ordered_json add(const torch::Tensor& tensor) {
    const torch::Tensor t = tensor.contiguous().cpu();
    std::string dtype;
    switch (t.scalar_type()) {
      case torch::kInt8:
        dtype = "int8";
        break;
      case torch::kInt16:
        dtype = "int16";
        break;
      case torch::kInt32:
        dtype = "int32";
        break;
      case torch::kFloat32:
        dtype = "float32";
        break;
      default:
        throw std::logic_error("export: unexpected tensor type " +
                               std::string(c10::toString(t.scalar_type())));
    }
    // 8-byte alignment lets a reader map the file and use the arrays in place.
    bytes_.resize((bytes_.size() + 7) / 8 * 8, '\0');
    const std::size_t offset = bytes_.size();
    bytes_.append(static_cast<const char*>(t.data_ptr()), t.nbytes());
    return {{"dtype", dtype}, {"shape", t.sizes().vec()}, {"offset", offset}};
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

torch::ScalarType int_type(int bits) {
  if (bits <= 8) return torch::kInt8;
  if (bits <= 16) return torch::kInt16;
  return torch::kInt32;
}

// The integer codes and per-channel scales behind fake_quantize_per_channel, computed with the
// same operations so that q * scale gives back its float32 values exactly.
nlohmann::ordered_json encode_weight(const torch::Tensor& weight, int bits, Sidecar& data) {
  if (bits >= 32) return {{"encoding", "float"}, {"values", data.add(weight)}};
  const auto flat = weight.reshape({weight.size(0), -1});
  std::vector<int64_t> shape(weight.dim(), 1);
  shape[0] = weight.size(0);
  torch::Tensor scale, q;
  if (bits == 1) {
    scale = flat.abs().mean(1).clamp_min(1e-12);
    q = weight.sign();
  } else {
    const double levels = std::pow(2.0, bits - 1) - 1;
    scale = (flat.abs().amax(1) / levels).clamp_min(1e-12);
    q = torch::clamp(torch::round(weight / scale.reshape(shape)), -levels, levels);
  }
  return {{"encoding", bits == 1 ? "sign" : "int"},
          {"q", data.add(q.to(int_type(bits)))},
          {"scale", data.add(scale)}};
}

nlohmann::ordered_json shape_json(const ir::Shape& s) {
  return {s.channels, s.height, s.width};
}

}  // namespace

void export_torchscript(TorchNetworkImpl& model, const std::string& path) {
  torch::NoGradGuard no_grad;
  const ir::Network& net = model.network();
  torch::jit::Module module("hwnas_" + identifier(net.name.empty() ? "network" : net.name));
  std::vector<std::string> prefixes;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const ir::Layer& layer = net.layers[i];
    prefixes.push_back("l" + std::to_string(i) + "_" + identifier(layer.name));
    const LayerTensors t = tensors_of(model, static_cast<int>(i));
    auto param = [&](const std::string& suffix, const torch::Tensor& value) {
      module.register_parameter(prefixes.back() + suffix, value.clone(), /*is_buffer=*/false);
    };
    if (layer.has_weights()) {
      // The values forward() multiplies with, not the trained floats behind them.
      param("_weight", fake_quantize_per_channel(t.weight, layer.bits.weight).detach());
      if (t.bias.defined()) param("_bias", t.bias);
    } else if (layer.kind == LayerKind::batchnorm) {
      param("_gamma", t.gamma);
      param("_beta", t.beta);
      module.register_buffer(prefixes.back() + "_running_mean", t.running_mean.clone());
      module.register_buffer(prefixes.back() + "_running_var", t.running_var.clone());
    }
  }
  module.define(kFakeQuantSource + forward_source(model, prefixes));
  std::ostringstream archive;
  module.save(archive);
  write_file(path, archive.str());
}

std::string weights_data_path(const std::string& json_path) {
  return std::filesystem::path(json_path).replace_extension(".bin").string();
}

void export_weights(TorchNetworkImpl& model, const std::string& json_path) {
  const std::string data_path = weights_data_path(json_path);
  if (data_path == json_path) {
    throw InputError(json_path, "", "the weights file must not end in .bin: its data goes there");
  }
  torch::NoGradGuard no_grad;
  const ir::Network& net = model.network();
  const ir::NetworkStats& stats = model.stats();
  Sidecar data;
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const ir::Layer& layer = net.layers[i];
    const ir::LayerStats& s = stats.layers[i];
    nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
    for (const int p : s.producers) {
      inputs.push_back(p == ir::kNetworkInput ? std::string("input") : net.layers[p].name);
    }
    nlohmann::ordered_json j = {
        {"index", i},       {"name", layer.name},     {"kind", ir::to_string(layer.kind)},
        {"inputs", inputs}, {"in", shape_json(s.in)}, {"out", shape_json(s.out)}};
    if (layer.kind == LayerKind::conv || layer.kind == LayerKind::maxpool ||
        layer.kind == LayerKind::avgpool) {
      j["kernel"] = layer.kernel;
      j["stride"] = layer.stride;
      j["pad"] = layer.pad;
    }
    if (layer.kind == LayerKind::conv) j["groups"] = s.groups;
    j["bits"] = {{"weight", layer.bits.weight}, {"act", layer.bits.act}};
    j["output_quantized"] = model.materialized(static_cast<int>(i)) && layer.bits.act < 32;
    const LayerTensors t = tensors_of(model, static_cast<int>(i));
    if (layer.has_weights()) {
      j["weight"] = encode_weight(t.weight, layer.bits.weight, data);
      if (t.bias.defined()) j["bias"] = data.add(t.bias);
    } else if (layer.kind == LayerKind::batchnorm) {
      j["gamma"] = data.add(t.gamma);
      j["beta"] = data.add(t.beta);
      j["running_mean"] = data.add(t.running_mean);
      j["running_var"] = data.add(t.running_var);
      j["eps"] = t.eps;
    }
    layers.push_back(std::move(j));
  }
  const nlohmann::ordered_json root = {
      {"format", "hwnas-weights"},
      {"version", 1},
      {"network", net.name},
      {"input", shape_json(net.input)},
      {"data", std::filesystem::path(data_path).filename().string()},
      {"layers", layers}};
  write_file(data_path, data.bytes());
  write_file(json_path, root.dump(1) + "\n");
}

}  // namespace hwnas::eval
