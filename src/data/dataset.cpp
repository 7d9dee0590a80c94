#include "hwnas/data/dataset.hpp"

#include <filesystem>
#include <memory>

#include <fmt/format.h>
#include <zlib.h>

#include "hwnas/core/error.hpp"

namespace hwnas::data {

namespace {

constexpr std::uint32_t kIdxImagesMagic = 0x00000803;
constexpr std::uint32_t kIdxLabelsMagic = 0x00000801;
constexpr int kCifarSide = 32;
constexpr std::size_t kCifarRecord = 1 + 3 * kCifarSide * kCifarSide;

// gzopen reads gzip files and, transparently, plain ones.
struct GzCloser {
  void operator()(gzFile file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<std::remove_pointer_t<gzFile>, GzCloser>;

GzFile open(const std::string& path) {
  if (!std::filesystem::exists(path)) throw InputError(path, "", "no such file");
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) throw InputError(path, "", "cannot open file");
  return file;
}

// Reads up to `bytes`; returns how many were read (a short count means the file ended).
std::size_t read_some(gzFile file, const std::string& path, std::uint8_t* out, std::size_t bytes) {
  std::size_t done = 0;
  while (done < bytes) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(bytes - done, 1u << 30));
    const int got = gzread(file, out + done, chunk);
    if (got < 0) {
      int code = 0;
      throw InputError(path, "", fmt::format("corrupt gzip data: {}", gzerror(file, &code)));
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

void read_exact(gzFile file, const std::string& path, std::uint8_t* out, std::size_t bytes,
                const char* what) {
  const std::size_t got = read_some(file, path, out, bytes);
  if (got != bytes) {
    throw InputError(path, "",
                     fmt::format("truncated: expected {} bytes of {}, the file ends after {}",
                                 bytes, what, got));
  }
}

std::uint32_t read_be32(gzFile file, const std::string& path, const char* what) {
  std::uint8_t b[4];
  read_exact(file, path, b, 4, what);
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

std::string existing(const std::string& directory, const std::string& base) {
  for (const std::string& candidate : {base + ".gz", base}) {
    const auto path = std::filesystem::path(directory) / candidate;
    if (std::filesystem::exists(path)) return path.string();
  }
  throw InputError((std::filesystem::path(directory) / base).string(), "",
                   "no such file (nor with .gz)");
}

}  // namespace

Dataset read_idx(const std::string& images_path, const std::string& labels_path,
                 const std::string& name) {
  Dataset set;
  set.name = name;
  set.channels = 1;
  {
    GzFile file = open(images_path);
    const std::uint32_t magic = read_be32(file.get(), images_path, "header");
    if (magic != kIdxImagesMagic) {
      throw InputError(images_path, "",
                       fmt::format("not an IDX image file: magic 0x{:08x} (expected 0x{:08x})",
                                   magic, kIdxImagesMagic));
    }
    const std::uint32_t count = read_be32(file.get(), images_path, "header");
    set.height = static_cast<int>(read_be32(file.get(), images_path, "header"));
    set.width = static_cast<int>(read_be32(file.get(), images_path, "header"));
    if (set.height < 1 || set.width < 1 || set.height > 4096 || set.width > 4096) {
      throw InputError(images_path, "",
                       fmt::format("implausible image size {}x{}", set.height, set.width));
    }
    set.pixels.resize(static_cast<std::size_t>(count) * set.image_bytes());
    read_exact(file.get(), images_path, set.pixels.data(), set.pixels.size(), "pixel data");
  }
  {
    GzFile file = open(labels_path);
    const std::uint32_t magic = read_be32(file.get(), labels_path, "header");
    if (magic != kIdxLabelsMagic) {
      throw InputError(labels_path, "",
                       fmt::format("not an IDX label file: magic 0x{:08x} (expected 0x{:08x})",
                                   magic, kIdxLabelsMagic));
    }
    const std::uint32_t count = read_be32(file.get(), labels_path, "header");
    const std::size_t images = set.pixels.size() / set.image_bytes();
    if (count != images) {
      throw InputError(
          labels_path, "",
          fmt::format("{} labels for the {} images of {}", count, images, images_path));
    }
    set.labels.resize(count);
    read_exact(file.get(), labels_path, set.labels.data(), count, "labels");
  }
  int max_label = 0;
  for (std::uint8_t label : set.labels) max_label = std::max<int>(max_label, label);
  set.classes = std::max(10, max_label + 1);
  return set;
}

Split read_idx_directory(const std::string& directory, const std::string& name) {
  Split split;
  split.train = read_idx(existing(directory, "train-images-idx3-ubyte"),
                         existing(directory, "train-labels-idx1-ubyte"), name + "/train");
  split.test = read_idx(existing(directory, "t10k-images-idx3-ubyte"),
                        existing(directory, "t10k-labels-idx1-ubyte"), name + "/test");
  return split;
}

Dataset read_cifar10_batch(const std::string& path) {
  GzFile file = open(path);
  Dataset set;
  set.name = path;
  set.channels = 3;
  set.height = set.width = kCifarSide;
  std::vector<std::uint8_t> record(kCifarRecord);
  while (true) {
    const std::size_t got = read_some(file.get(), path, record.data(), kCifarRecord);
    if (got == 0) break;
    if (got != kCifarRecord) {
      throw InputError(path, "",
                       fmt::format("truncated: record {} has {} of its {} bytes", set.size(), got,
                                   kCifarRecord));
    }
    if (record[0] >= 10) {
      throw InputError(
          path, "",
          fmt::format("record {} has label {} (CIFAR-10 labels are 0..9)", set.size(), record[0]));
    }
    set.labels.push_back(record[0]);
    set.pixels.insert(set.pixels.end(), record.begin() + 1, record.end());
  }
  if (set.size() == 0) throw InputError(path, "", "no records (an empty file)");
  return set;
}

Split read_cifar10(const std::string& directory) {
  Split split;
  split.train.name = "cifar10/train";
  split.train.channels = 3;
  split.train.height = split.train.width = kCifarSide;
  for (int batch = 1; batch <= 5; ++batch) {
    const Dataset part = read_cifar10_batch(
        (std::filesystem::path(directory) / fmt::format("data_batch_{}.bin", batch)).string());
    split.train.pixels.insert(split.train.pixels.end(), part.pixels.begin(), part.pixels.end());
    split.train.labels.insert(split.train.labels.end(), part.labels.begin(), part.labels.end());
  }
  split.test = read_cifar10_batch((std::filesystem::path(directory) / "test_batch.bin").string());
  split.test.name = "cifar10/test";
  return split;
}

Split load(const std::string& spec) {
  const auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  const std::string path = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (kind == "fashion-mnist") {
    return read_idx_directory(path.empty() ? kDebianFashionMnist : path, "fashion-mnist");
  }
  if ((kind == "mnist" || kind == "idx") && !path.empty()) return read_idx_directory(path, kind);
  if (kind == "cifar10" && !path.empty()) return read_cifar10(path);
  throw InputError("--data", spec,
                   "unknown data set (expected fashion-mnist, fashion-mnist:DIR, mnist:DIR, "
                   "idx:DIR or cifar10:DIR)");
}

}  // namespace hwnas::data
