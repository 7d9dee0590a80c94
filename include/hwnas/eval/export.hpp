#pragma once
// Export of a trained model: TorchScript for Python and the weights with their quantization
// scales for the hardware side. Torch headers stay out of this header (the model is only
// forward-declared) so that the CLI's translation unit compiles in a second, not in 40.
//
// Both exports describe the model in eval mode (batch norm with its running statistics),
// whatever mode it is in when exported.
//
// Weights file: JSON metadata plus a little-endian binary sidecar holding every tensor.
//
//   {"format": "hwnas-weights", "version": 1, "network": "lenet", "input": [C, H, W],
//    "data": "lenet.bin",          // the sidecar: a file name in the JSON's folder
//    "layers": [{
//      "index": 0, "name": "conv1", "kind": "conv",
//      "inputs": ["input"],        // producer layer names; "input" is the network input
//      "in": [C, H, W], "out": [C, H, W],          // per sample, as ir::analyze()
//      "kernel": 5, "stride": 1, "pad": 2,          // conv and pools
//      "groups": 1,                                 // conv, resolved (depthwise = in channels)
//      "bits": {"weight": 8, "act": 8},
//      "output_quantized": true,
//      "weight": {"encoding": "int", "q": T, "scale": T},   // conv and linear
//      "bias": T,                                            // conv and linear with a bias
//      "gamma": T, "beta": T, "running_mean": T, "running_var": T, "eps": 1e-5   // batchnorm
//    }, ...]}
//
// T = {"dtype": "int8" | "int16" | "int32" | "float32", "shape": [...], "offset": bytes}: a
// C-order array at that offset of the sidecar (offsets are multiples of 8).
//
// Weight encodings (fake_quant.hpp), with w the weights the trained model computes with:
//  * "int" (2..31 bits): w[c, ...] = q[c, ...] * scale[c] exactly in float32, with integer q in
//    [-(2^(b-1) - 1), 2^(b-1) - 1] (int8 up to 8 bits, int16 up to 16, else int32) and float32
//    scale[c] = max|w_c| / (2^(b-1) - 1) per output channel;
//  * "sign" (1 bit): q in {-1, 0, 1} (int8), scale[c] = mean|w_c|; q * scale is the
//    quantized weight, which the model's straight-through estimator reproduces to within an
//    ulp (w + (q * scale - w) is not always exact when |w| << scale);
//  * "float" (32 bits): no q or scale, "values": T with float32 weights.
// Conv weights are out x in/groups x k x k; linear weights out x (C*H*W of the input, in
// C-order flatten order). Biases and batch-norm parameters stay float32: the accumulator adds
// them. "output_quantized" says whether the layer's output is stored and fake-quantized per
// tensor at its activation bits (scale = max|x| / (2^(b-1) - 1) over the batch, computed at run
// time, so it is not in the file); false when a fused batch norm or activation consumes it
// directly, or when the activation bits are 32.

#include <string>

namespace hwnas::eval {

class TorchNetworkImpl;  // torch_network.hpp

// Writes a TorchScript module that Python's torch.jit.load reads and whose
// forward(x: N x C x H x W float32) -> N x outputs equals model.forward(x) in eval mode. The
// weights are stored already fake-quantized (the values the model computes with); the
// activation quantization is part of the scripted forward. Throws hwnas::InputError(path, "",
// "cannot write file") when the file cannot be written.
void export_torchscript(TorchNetworkImpl& model, const std::string& path);

// Writes the weights file described above to json_path and its sidecar to
// weights_data_path(json_path). Throws hwnas::InputError naming the file that cannot be
// written, or json_path when it ends in ".bin" (the sidecar would overwrite it).
void export_weights(TorchNetworkImpl& model, const std::string& json_path);

// The sidecar of a weights file: json_path with its extension replaced by ".bin".
std::string weights_data_path(const std::string& json_path);

}  // namespace hwnas::eval
