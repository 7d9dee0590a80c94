#include "hwnas/data/dataset.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <numeric>

#include <unistd.h>
#include <zlib.h>

#include "hwnas/core/error.hpp"

namespace hwnas::data {
namespace {

namespace fs = std::filesystem;

std::string error_of(auto&& action) {
  try {
    action();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

// A scratch directory per test process.
fs::path scratch() {
  const fs::path dir = fs::temp_directory_path() / ("hwnas_data_" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir;
}

std::vector<std::uint8_t> be32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

void write(const fs::path& path, const std::vector<std::uint8_t>& bytes, bool gzip) {
  if (gzip) {
    gzFile file = gzopen(path.c_str(), "wb");
    gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(file);
  } else {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }
}

// Two 2x3 images (pixels 0..11) with labels 7 and 3.
std::vector<std::uint8_t> idx_images() {
  std::vector<std::uint8_t> bytes;
  for (std::uint32_t v : {0x00000803u, 2u, 2u, 3u}) {
    const auto b = be32(v);
    bytes.insert(bytes.end(), b.begin(), b.end());
  }
  for (int i = 0; i < 12; ++i) bytes.push_back(static_cast<std::uint8_t>(i));
  return bytes;
}
std::vector<std::uint8_t> idx_labels() {
  std::vector<std::uint8_t> bytes = be32(0x00000801);
  const auto count = be32(2);
  bytes.insert(bytes.end(), count.begin(), count.end());
  bytes.push_back(7);
  bytes.push_back(3);
  return bytes;
}

TEST(Idx, ReadsPlainAndGzipFilesAlike) {
  const fs::path dir = scratch();
  for (const bool gzip : {false, true}) {
    const fs::path images = dir / (gzip ? "i.gz" : "i"), labels = dir / (gzip ? "l.gz" : "l");
    write(images, idx_images(), gzip);
    write(labels, idx_labels(), gzip);
    const Dataset set = read_idx(images.string(), labels.string(), "tiny");
    EXPECT_EQ(set.size(), 2u);
    EXPECT_EQ(set.channels, 1);
    EXPECT_EQ(set.height, 2);
    EXPECT_EQ(set.width, 3);
    EXPECT_EQ(set.labels, (std::vector<std::uint8_t>{7, 3}));
    EXPECT_EQ(set.pixels[6], 6);  // first pixel of the second image
    EXPECT_EQ(set.pixels.size(), 12u);
  }
}

TEST(Idx, CorruptFilesAreClearErrors) {
  const fs::path dir = scratch();
  const fs::path images = dir / "bad_images", labels = dir / "bad_labels";
  write(labels, idx_labels(), false);

  std::vector<std::uint8_t> wrong_magic = idx_images();
  wrong_magic[3] = 0x01;
  write(images, wrong_magic, false);
  EXPECT_EQ(error_of([&] { read_idx(images.string(), labels.string(), "x"); }),
            images.string() + ": not an IDX image file: magic 0x00000801 (expected 0x00000803)");

  std::vector<std::uint8_t> truncated = idx_images();
  truncated.resize(truncated.size() - 5);
  write(images, truncated, false);
  EXPECT_EQ(
      error_of([&] { read_idx(images.string(), labels.string(), "x"); }),
      images.string() + ": truncated: expected 12 bytes of pixel data, the file ends after 7");

  write(images, idx_images(), false);
  std::vector<std::uint8_t> three_labels = idx_labels();
  three_labels[7] = 3;
  three_labels.push_back(1);
  write(labels, three_labels, false);
  EXPECT_EQ(error_of([&] { read_idx(images.string(), labels.string(), "x"); }),
            labels.string() + ": 3 labels for the 2 images of " + images.string());

  // A gzip file whose compressed stream is cut short.
  write(dir / "cut.gz", idx_images(), true);
  fs::resize_file(dir / "cut.gz", fs::file_size(dir / "cut.gz") - 12);
  const std::string cut =
      error_of([&] { read_idx((dir / "cut.gz").string(), labels.string(), "x"); });
  EXPECT_EQ(cut.rfind((dir / "cut.gz").string() + ": ", 0), 0u) << cut;
  EXPECT_NE(cut, "no error");

  EXPECT_EQ(error_of([&] { read_idx("/nonexistent/images", labels.string(), "x"); }),
            "/nonexistent/images: no such file");
}

TEST(Cifar10, ReadsRecordsAndRejectsBadOnes) {
  const fs::path dir = scratch();
  std::vector<std::uint8_t> bytes;
  for (const std::uint8_t label : {std::uint8_t{4}, std::uint8_t{9}}) {
    bytes.push_back(label);
    for (int i = 0; i < 3072; ++i) bytes.push_back(static_cast<std::uint8_t>(i % 251));
  }
  write(dir / "batch.bin", bytes, false);
  const Dataset set = read_cifar10_batch((dir / "batch.bin").string());
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(set.labels, (std::vector<std::uint8_t>{4, 9}));
  EXPECT_EQ(set.channels, 3);
  EXPECT_EQ(set.pixels.size(), 2u * 3072u);
  EXPECT_EQ(set.pixels[1024], 1024 % 251);  // first green pixel of the first image

  bytes.resize(bytes.size() - 100);
  write(dir / "short.bin", bytes, false);
  EXPECT_EQ(error_of([&] { read_cifar10_batch((dir / "short.bin").string()); }),
            (dir / "short.bin").string() + ": truncated: record 1 has 2973 of its 3073 bytes");
  bytes[0] = 12;
  write(dir / "label.bin", bytes, false);
  EXPECT_EQ(error_of([&] { read_cifar10_batch((dir / "label.bin").string()); }),
            (dir / "label.bin").string() + ": record 0 has label 12 (CIFAR-10 labels are 0..9)");
  EXPECT_EQ(error_of([&] { read_cifar10(dir.string()); }),
            (dir / "data_batch_1.bin").string() + ": no such file");
}

TEST(FashionMnist, DebianFilesReadWithTheirPublishedFacts) {
  // Debian's dataset-fashion-mnist (installed by scripts/install-deps.sh): 60,000 training and
  // 10,000 test images of 28x28, 6,000 per class in training. The first training image is an
  // ankle boot (label 9) whose pixels sum to 76,247 (checked with Python's gzip module).
  const Split split = load("fashion-mnist");
  EXPECT_EQ(split.train.size(), 60000u);
  EXPECT_EQ(split.test.size(), 10000u);
  EXPECT_EQ(split.train.height, 28);
  EXPECT_EQ(split.train.width, 28);
  EXPECT_EQ(split.train.labels[0], 9);
  EXPECT_EQ((std::vector<std::uint8_t>(split.test.labels.begin(), split.test.labels.begin() + 6)),
            (std::vector<std::uint8_t>{9, 2, 1, 1, 6, 1}));
  const auto first = split.train.pixels.begin();
  EXPECT_EQ(std::accumulate(first, first + 784, 0), 76247);
  EXPECT_EQ(std::count(split.train.labels.begin(), split.train.labels.end(), 0), 6000);
}

TEST(Load, UnknownSpecNamesTheForms) {
  EXPECT_EQ(error_of([] { load("imagenet"); }),
            "--data: imagenet: unknown data set (expected fashion-mnist, fashion-mnist:DIR, "
            "mnist:DIR, idx:DIR or cifar10:DIR)");
}

}  // namespace
}  // namespace hwnas::data
