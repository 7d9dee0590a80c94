#pragma once
// Image classification data sets read from their published binary formats: IDX (the MNIST
// family, gzip-compressed or not) and CIFAR-10's binary batches. Pixels stay bytes (0..255);
// normalisation belongs to the trainer.

#include <cstdint>
#include <string>
#include <vector>

namespace hwnas::data {

struct Dataset {
  std::string name;
  int channels = 0;
  int height = 0;
  int width = 0;
  int classes = 10;
  std::vector<std::uint8_t> pixels;  // size() * channels * height * width, image-major, CHW
  std::vector<std::uint8_t> labels;  // one per image, each < classes

  std::size_t size() const { return labels.size(); }
  std::size_t image_bytes() const { return static_cast<std::size_t>(channels) * height * width; }
};

struct Split {
  Dataset train;
  Dataset test;
};

// An IDX image file (magic 0x00000803: unsigned bytes, N x H x W) and its label file (magic
// 0x00000801: N unsigned bytes), gzip-compressed or plain. Errors (hwnas::InputError) name the
// file and the reason: missing, wrong magic, truncated, image and label counts that differ.
Dataset read_idx(const std::string& images_path, const std::string& labels_path,
                 const std::string& name);

// A directory holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte
// and t10k-labels-idx1-ubyte, each optionally with a .gz suffix.
Split read_idx_directory(const std::string& directory, const std::string& name);

// CIFAR-10's binary version: records of 1 label byte + 3072 pixel bytes (32x32 red, then green,
// then blue). Reads data_batch_1..5.bin (train) and test_batch.bin (test) from `directory`.
Split read_cifar10(const std::string& directory);
// One CIFAR-10 batch file.
Dataset read_cifar10_batch(const std::string& path);

// Where Debian's dataset-fashion-mnist package puts its files.
inline constexpr const char* kDebianFashionMnist = "/usr/share/datasets/fashion-mnist";

// A data set by name: "fashion-mnist" (Debian's files), "fashion-mnist:DIR", "mnist:DIR",
// "idx:DIR" (any IDX directory) or "cifar10:DIR". An unknown name is an InputError listing the
// forms.
Split load(const std::string& spec);

}  // namespace hwnas::data
