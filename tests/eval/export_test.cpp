#include "hwnas/eval/export.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "hwnas/core/error.hpp"
#include "hwnas/eval/fake_quant.hpp"
#include "hwnas/eval/torch_network.hpp"
#include "hwnas/eval/trainer.hpp"
#include "hwnas/io/network_yaml.hpp"

namespace hwnas::eval {
namespace {

using ir::LayerKind;

std::string temp_path(const std::string& name) {
  return std::string(HWNAS_BINARY_DIR) + "/export_test_" + name;
}

ir::Layer layer(LayerKind kind, const std::string& name, ir::Bits bits) {
  ir::Layer l;
  l.kind = kind;
  l.name = name;
  l.bits = bits;
  return l;
}

ir::Layer conv(const std::string& name, int out, int kernel, int stride, int pad, ir::Bits bits) {
  ir::Layer l = layer(LayerKind::conv, name, bits);
  l.out = out;
  l.kernel = kernel;
  l.stride = stride;
  l.pad = pad;
  return l;
}

ir::Layer pool(LayerKind kind, const std::string& name, int kernel, int stride, int pad) {
  ir::Layer l = layer(kind, name, {8, 8});
  l.kernel = kernel;
  l.stride = stride;
  l.pad = pad;
  return l;
}

// Every layer kind, at 1, 4, 8 and 32 bits, with a four-way residual add (one input a zero
// layer); 3 x 16 x 16 input.
ir::Network every_kind() {
  ir::Network net;
  net.name = "every-kind";
  net.input = {3, 16, 16};
  ir::Layer dw = conv("dw", 0, 3, 1, 1, {4, 4});
  dw.groups = ir::kDepthwiseGroups;
  ir::Layer pw = conv("pw", 8, 1, 1, 0, {32, 32});
  pw.bias = false;
  ir::Layer add = layer(LayerKind::add, "add", {8, 8});
  add.inputs = {"pw", "r1", "r6", "z"};
  ir::Layer zero = layer(LayerKind::zero, "z", {8, 8});
  zero.inputs = {"r1"};
  ir::Layer fc = layer(LayerKind::linear, "fc", {4, 32});
  fc.out = 10;
  net.layers = {conv("c1", 8, 3, 1, 1, {8, 8}),              // 0
                layer(LayerKind::batchnorm, "bn1", {8, 8}),  // 1, fused into c1
                layer(LayerKind::relu, "r1", {8, 8}),        // 2
                dw,                                          // 3
                layer(LayerKind::batchnorm, "bn2", {4, 4}),  // 4
                layer(LayerKind::relu6, "r6", {4, 4}),       // 5
                pw,                                          // 6, float
                zero,                                        // 7, zeros shaped like r1
                add,                                         // 8
                pool(LayerKind::maxpool, "mp", 2, 2, 0),     // 9
                conv("c2", 16, 3, 2, 1, {1, 8}),             // 10, 1-bit weights
                layer(LayerKind::relu, "r2", {8, 8}),        // 11
                pool(LayerKind::avgpool, "ap", 3, 1, 1),     // 12, padding counted
                layer(LayerKind::global_avgpool, "gap", {8, 8}),
                layer(LayerKind::flatten, "flat", {32, 32}),
                fc};
  return net;
}

// Seeded weights (the constructor's initialisation), batch-norm scales and shifts away from
// 1 and 0, and running statistics from a few training-mode passes; ends in eval mode.
TorchNetwork trained_looking(const ir::Network& net, std::uint64_t seed) {
  torch::manual_seed(seed);
  TorchNetwork model(net);
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    if (net.layers[i].kind != LayerKind::batchnorm) continue;
    auto& bn = dynamic_cast<torch::nn::BatchNorm2dImpl&>(model->layer_module(i));
    bn.weight.uniform_(0.5, 1.5);
    bn.bias.uniform_(-0.5, 0.5);
  }
  model->train();
  const auto& in = net.input;
  for (int pass = 0; pass < 3; ++pass) {
    model->forward(torch::randn({8, in.channels, in.height, in.width}) * 2 + 0.5);
  }
  model->eval();
  return model;
}

// int64 ndim, int64 sizes, float32 values: what check_torchscript.py reads.
void write_tensor(const std::string& path, const torch::Tensor& tensor) {
  const torch::Tensor t = tensor.contiguous().to(torch::kFloat32);
  std::ofstream out(path, std::ios::binary);
  const std::int64_t ndim = t.dim();
  out.write(reinterpret_cast<const char*>(&ndim), sizeof ndim);
  for (const std::int64_t size : t.sizes()) {
    out.write(reinterpret_cast<const char*>(&size), sizeof size);
  }
  out.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.nbytes()));
  ASSERT_TRUE(out.good()) << path;
}

struct PythonCheck {
  int exit_code = -1;
  std::string output;
  double max_abs_diff = -1;  // -1 when the script printed none
};

// Runs the exported model in Debian's python3-torch (not the python3 first on PATH, which may
// lack torch) on `input` and compares with `expected`.
PythonCheck check_in_python(const std::string& model_path, const torch::Tensor& input,
                            const torch::Tensor& expected, const std::string& tag) {
  const std::string input_path = temp_path(tag + "_input.f32");
  const std::string expected_path = temp_path(tag + "_expected.f32");
  write_tensor(input_path, input);
  write_tensor(expected_path, expected);
  const std::string command = "/usr/bin/python3 " + std::string(HWNAS_SOURCE_DIR) +
                              "/tests/eval/check_torchscript.py " + model_path + " " + input_path +
                              " " + expected_path + " 2>&1";
  PythonCheck check;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return check;
  char buffer[4096];
  while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) {
    check.output.append(buffer, n);
  }
  const int status = pclose(pipe);
  check.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  const auto at = check.output.find("max_abs_diff ");
  if (at != std::string::npos) check.max_abs_diff = std::stod(check.output.substr(at + 13));
  return check;
}

// The network output and the model's Python verdict on it.
PythonCheck export_and_check(TorchNetworkImpl& model, const torch::Tensor& x,
                             const std::string& tag) {
  torch::Tensor expected;
  {
    torch::NoGradGuard no_grad;
    expected = model.forward(x);
  }
  const std::string path = temp_path(tag + ".pt");
  export_torchscript(model, path);
  return check_in_python(path, x, expected, tag);
}

TEST(ExportTorchScript, EveryLayerKindGivesTheSameOutputInPython) {
  TorchNetwork model = trained_looking(every_kind(), 3);
  auto& bn1 = dynamic_cast<torch::nn::BatchNorm2dImpl&>(model->layer_module(1));
  ASSERT_GT(bn1.running_mean.abs().max().item<float>(), 0.01f);  // statistics were collected
  torch::manual_seed(4);
  const torch::Tensor x = torch::randn({5, 3, 16, 16});
  const PythonCheck check = export_and_check(*model, x, "every_kind");
  EXPECT_EQ(check.exit_code, 0) << check.output;
  ASSERT_GE(check.max_abs_diff, 0) << check.output;
  EXPECT_LT(check.max_abs_diff, 1e-5) << check.output;
  std::cout << "every kind: " << check.output;
}

TEST(ExportTorchScript, ThePythonCheckSeesTheQuantization) {
  // The same weights without any quantization give outputs that the check must reject: a
  // scripted forward that left out the activation quantization would not pass the test above.
  const ir::Network net = every_kind();
  TorchNetwork model = trained_looking(net, 3);
  ir::Network float_net = net;
  for (auto& l : float_net.layers) l.bits = {32, 32};
  TorchNetwork float_model(float_net);
  {
    torch::NoGradGuard no_grad;
    auto params = model->named_parameters();
    for (auto& p : float_model->named_parameters()) p.value().copy_(params[p.key()]);
    auto buffers = model->named_buffers();
    for (auto& b : float_model->named_buffers()) b.value().copy_(buffers[b.key()]);
  }
  float_model->eval();
  torch::manual_seed(4);
  const torch::Tensor x = torch::randn({5, 3, 16, 16});
  torch::Tensor float_out;
  {
    torch::NoGradGuard no_grad;
    float_out = float_model->forward(x);
  }
  const std::string path = temp_path("quantized.pt");
  export_torchscript(*model, path);
  const PythonCheck check = check_in_python(path, x, float_out, "quantized");
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_GT(check.max_abs_diff, 1e-3) << check.output;
}

TEST(ExportTorchScript, LenetFromTheExampleRoundTrips) {
  const ir::Network net =
      io::read_network_file(std::string(HWNAS_SOURCE_DIR) + "/examples/networks/lenet.yaml");
  TorchNetwork model = trained_looking(net, 5);
  torch::manual_seed(6);
  const PythonCheck check = export_and_check(*model, torch::rand({3, 1, 28, 28}), "lenet");
  EXPECT_EQ(check.exit_code, 0) << check.output;
  ASSERT_GE(check.max_abs_diff, 0) << check.output;
  EXPECT_LT(check.max_abs_diff, 1e-5) << check.output;
  std::cout << "lenet: " << check.output;
}

const data::Split& fashion() {
  static const data::Split split = data::load("fashion-mnist");
  return split;
}

TEST(ExportTorchScript, TrainedModelFromTheTrainerHook) {
  // The CLI exports from the trainer's hook: the model it hands over is in eval mode.
  ir::Network net =
      io::read_network_file(std::string(HWNAS_SOURCE_DIR) + "/examples/networks/lenet.yaml");
  TrainBudget budget;
  budget.epochs = 1;
  budget.train_images = 256;
  budget.test_images = 64;
  budget.batch_size = 32;
  budget.seed = 2;
  PythonCheck check;
  int calls = 0;
  const TrainResult r = train(net, fashion(), budget, {}, [&](TorchNetworkImpl& model) {
    ++calls;
    torch::manual_seed(8);
    check = export_and_check(model, torch::rand({4, 1, 28, 28}), "trained");
  });
  ASSERT_EQ(r.status, TrainStatus::ok) << r.reason;
  ASSERT_EQ(calls, 1);
  EXPECT_EQ(check.exit_code, 0) << check.output;
  ASSERT_GE(check.max_abs_diff, 0) << check.output;
  EXPECT_LT(check.max_abs_diff, 1e-5) << check.output;
  std::cout << "trained: " << check.output;
}

// The weights file and its sidecar, read back.
struct Weights {
  nlohmann::json json;
  std::string data;

  const nlohmann::json& layer(const std::string& name) const {
    for (const auto& l : json["layers"]) {
      if (l["name"] == name) return l;
    }
    throw std::out_of_range("no layer " + name);
  }
  // A tensor described by `t`, as a torch tensor of its dtype.
  torch::Tensor tensor(const nlohmann::json& t) const {
    const std::string dtype = t["dtype"];
    const auto type = dtype == "int8"    ? torch::kInt8
                      : dtype == "int16" ? torch::kInt16
                      : dtype == "int32" ? torch::kInt32
                                         : torch::kFloat32;
    const std::vector<std::int64_t> shape = t["shape"];
    const std::size_t offset = t["offset"];
    EXPECT_EQ(offset % 8, 0u);
    auto out = torch::empty(shape, type);
    EXPECT_LE(offset + out.nbytes(), data.size());
    std::memcpy(out.data_ptr(), data.data() + offset, out.nbytes());
    return out;
  }
};

Weights export_and_read_weights(TorchNetworkImpl& model, const std::string& tag) {
  const std::string json_path = temp_path(tag + ".json");
  export_weights(model, json_path);
  Weights w;
  std::ifstream json(json_path);
  w.json = nlohmann::json::parse(json);
  EXPECT_EQ(w.json["data"], "export_test_" + tag + ".bin");
  std::ifstream data(weights_data_path(json_path), std::ios::binary);
  w.data.assign(std::istreambuf_iterator<char>(data), {});
  return w;
}

TEST(ExportWeights, IntegersTimesScalesAreTheFakeQuantizedWeights) {
  TorchNetwork model = trained_looking(every_kind(), 3);
  auto& dw = dynamic_cast<torch::nn::Conv2dImpl&>(model->layer_module(3));
  {
    // Channel 0 of the 4-bit depthwise conv by hand: scale = max|w| / 7 = 1.4 / 7 = 0.2, and
    // w / 0.2 = 7, -2.1, 0.65, 0, -7, 3.05, 0.25, -4.75, 5.75 rounds to the codes below.
    torch::NoGradGuard no_grad;
    dw.weight[0].copy_(
        torch::tensor({1.4f, -0.42f, 0.13f, 0.0f, -1.4f, 0.61f, 0.05f, -0.95f, 1.15f})
            .view({1, 3, 3}));
  }
  const Weights w = export_and_read_weights(*model, "every_kind_weights");
  const auto& dwj = w.layer("dw");
  EXPECT_EQ(dwj["kind"], "conv");
  EXPECT_EQ(dwj["groups"], 8);
  EXPECT_EQ(dwj["bits"]["weight"], 4);
  EXPECT_EQ(dwj["weight"]["encoding"], "int");
  EXPECT_EQ(dwj["weight"]["q"]["dtype"], "int8");
  EXPECT_EQ(dwj["weight"]["q"]["shape"], (std::vector<int>{8, 1, 3, 3}));
  const torch::Tensor q = w.tensor(dwj["weight"]["q"]);
  const torch::Tensor scale = w.tensor(dwj["weight"]["scale"]);
  EXPECT_TRUE(
      torch::equal(q[0].flatten(), torch::tensor({7, -2, 1, 0, -7, 3, 0, -5, 6}, torch::kInt8)))
      << q[0];
  EXPECT_FLOAT_EQ(scale[0].item<float>(), 0.2f);

  // Every conv and linear: codes within the grid, the largest |code| of each channel at the
  // grid's edge, and codes times scales equal to what the C++ forward computes with, exactly.
  int int_layers = 0;
  for (const auto& l : w.json["layers"]) {
    if (!l.contains("weight")) continue;
    const int index = l["index"];
    const int bits = l["bits"]["weight"];
    torch::Tensor weight;
    if (l["kind"] == "conv") {
      weight = dynamic_cast<torch::nn::Conv2dImpl&>(model->layer_module(index)).weight;
    } else {
      weight = dynamic_cast<torch::nn::LinearImpl&>(model->layer_module(index)).weight;
    }
    const torch::Tensor used = fake_quantize_per_channel(weight, bits).detach();
    const auto& enc = l["weight"];
    if (bits >= 32) {
      EXPECT_EQ(enc["encoding"], "float");
      EXPECT_TRUE(torch::equal(w.tensor(enc["values"]), weight.detach())) << l["name"];
      continue;
    }
    EXPECT_EQ(enc["encoding"], bits == 1 ? "sign" : "int") << l["name"];
    const torch::Tensor codes = w.tensor(enc["q"]);
    const torch::Tensor scales = w.tensor(enc["scale"]);
    std::vector<std::int64_t> shape(codes.dim(), 1);
    shape[0] = codes.size(0);
    const torch::Tensor decoded = codes.to(torch::kFloat32) * scales.view(shape);
    if (bits == 1) {
      // The model computes with w + (sign(w) * scale - w), which rounds to within an ulp.
      EXPECT_TRUE(torch::allclose(decoded, used, /*rtol=*/1e-6, /*atol=*/0)) << l["name"];
    } else {
      EXPECT_TRUE(torch::equal(decoded, used)) << l["name"];
    }
    const int levels = bits == 1 ? 1 : (1 << (bits - 1)) - 1;
    const auto per_channel_max = codes.abs().reshape({codes.size(0), -1}).amax(1);
    EXPECT_EQ(per_channel_max.max().item<int>(), levels) << l["name"];
    if (bits > 1) {
      EXPECT_TRUE((per_channel_max == levels).all().item<bool>()) << l["name"];
    }
    ++int_layers;
  }
  EXPECT_EQ(int_layers, 4);  // c1, dw, c2 (sign), fc

  // Linear weights are out x (C*H*W of the input); 1-bit codes are signs.
  EXPECT_EQ(w.layer("fc")["weight"]["q"]["shape"], (std::vector<int>{10, 16}));
  EXPECT_EQ(w.layer("c2")["weight"]["q"]["dtype"], "int8");

  // Biases, batch-norm parameters and running statistics as the model holds them.
  const auto& c1 = dynamic_cast<torch::nn::Conv2dImpl&>(model->layer_module(0));
  EXPECT_TRUE(torch::equal(w.tensor(w.layer("c1")["bias"]), c1.bias.detach()));
  EXPECT_FALSE(w.layer("pw").contains("bias"));
  const auto& bn2 = dynamic_cast<torch::nn::BatchNorm2dImpl&>(model->layer_module(4));
  const auto& bn2j = w.layer("bn2");
  EXPECT_TRUE(torch::equal(w.tensor(bn2j["gamma"]), bn2.weight.detach()));
  EXPECT_TRUE(torch::equal(w.tensor(bn2j["beta"]), bn2.bias.detach()));
  EXPECT_TRUE(torch::equal(w.tensor(bn2j["running_mean"]), bn2.running_mean));
  EXPECT_TRUE(torch::equal(w.tensor(bn2j["running_var"]), bn2.running_var));
  EXPECT_DOUBLE_EQ(bn2j["eps"].get<double>(), 1e-5);

  // Graph and quantization points: the conv and batch norm feeding a fused activation are not
  // stored; 32-bit outputs are not quantized.
  EXPECT_EQ(w.layer("add")["inputs"], (std::vector<std::string>{"pw", "r1", "r6", "z"}));
  EXPECT_EQ(w.layer("z")["kind"], "zero");
  EXPECT_EQ(w.layer("z")["inputs"], (std::vector<std::string>{"r1"}));
  EXPECT_EQ(w.layer("c1")["inputs"], (std::vector<std::string>{"input"}));
  EXPECT_EQ(w.layer("c2")["out"], (std::vector<int>{16, 4, 4}));
  EXPECT_EQ(w.layer("c2")["stride"], 2);
  EXPECT_EQ(w.layer("ap")["pad"], 1);
  EXPECT_FALSE(w.layer("c1")["output_quantized"].get<bool>());
  EXPECT_FALSE(w.layer("bn1")["output_quantized"].get<bool>());
  EXPECT_TRUE(w.layer("r1")["output_quantized"].get<bool>());
  EXPECT_FALSE(w.layer("pw")["output_quantized"].get<bool>());
  EXPECT_TRUE(w.layer("add")["output_quantized"].get<bool>());
  EXPECT_FALSE(w.layer("flat")["output_quantized"].get<bool>());
  EXPECT_EQ(w.json["format"], "hwnas-weights");
  EXPECT_EQ(w.json["network"], "every-kind");
  EXPECT_EQ(w.json["input"], (std::vector<int>{3, 16, 16}));
}

TEST(ExportWeights, Lenet) {
  const ir::Network net =
      io::read_network_file(std::string(HWNAS_SOURCE_DIR) + "/examples/networks/lenet.yaml");
  TorchNetwork model = trained_looking(net, 5);
  const Weights w = export_and_read_weights(*model, "lenet_weights");
  ASSERT_EQ(w.json["layers"].size(), net.layers.size());
  EXPECT_EQ(w.layer("conv1")["weight"]["q"]["shape"], (std::vector<int>{6, 1, 5, 5}));
  EXPECT_EQ(w.layer("fc1")["weight"]["q"]["shape"], (std::vector<int>{120, 400}));
  EXPECT_EQ(w.layer("fc3")["bias"]["shape"], (std::vector<int>{10}));
  EXPECT_EQ(w.layer("maxpool5")["stride"], 2);  // the YAML's default: stride = kernel
}

TEST(Export, UnwritablePathIsAnInputErrorNamingIt) {
  TorchNetwork model = trained_looking(every_kind(), 3);
  const std::string dir = "/nonexistent-hwnas-dir";
  try {
    export_torchscript(*model, dir + "/model.pt");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent-hwnas-dir/model.pt: cannot write file");
  }
  try {
    export_weights(*model, dir + "/weights.json");
    FAIL();
  } catch (const InputError& e) {
    // The sidecar is written first, so that a JSON file never points at missing data.
    EXPECT_STREQ(e.what(), "/nonexistent-hwnas-dir/weights.bin: cannot write file");
  }
  try {
    export_weights(*model, temp_path("weights.bin"));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.where(), temp_path("weights.bin"));
    EXPECT_EQ(e.reason(), "the weights file must not end in .bin: its data goes there");
  }
}

}  // namespace
}  // namespace hwnas::eval
