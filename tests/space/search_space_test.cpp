#include "hwnas/space/search_space.hpp"

#include <string>
#include <variant>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hwnas/core/error.hpp"
#include "hwnas/core/rng.hpp"
#include "hwnas/io/network_yaml.hpp"
#include "hwnas/io/space_yaml.hpp"
#include "hwnas/space/block_space.hpp"
#include "hwnas/space/layered_space.hpp"

namespace hwnas::space {
namespace {

std::string example(const std::string& name) {
  return std::string(HWNAS_SOURCE_DIR) + "/examples/spaces/" + name;
}

std::unique_ptr<SearchSpace> fnas_like() {
  return make_layered_space(LayeredSpaceSpec{});
}

std::unique_ptr<SearchSpace> quantized_blocks() {
  BlockSpaceSpec spec;
  spec.stages = {StageSpec{1, {1, 6}, {3, 5}, {0, 1, 2}, {16, 24}},
                 StageSpec{2, {3, 6}, {3, 5, 7}, {1, 2, 3}, {24, 32}}};
  spec.quantization = QuantizationSpec{{2, 4, 8}, {4, 8}, QuantGranularity::per_layer};
  return make_block_space(spec);
}

std::string error_of(auto&& call) {
  try {
    call();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Sample, SameSeedSameGenotypesDifferentSeedsDiffer) {
  const auto space = fnas_like();
  auto draw = [&](std::uint64_t seed) {
    Rng rng(seed);
    std::vector<Genotype> genotypes;
    for (int i = 0; i < 20; ++i) genotypes.push_back(sample(*space, rng));
    return genotypes;
  };
  EXPECT_EQ(draw(7), draw(7));
  EXPECT_NE(draw(7), draw(8));
  for (const auto& genotype : draw(9)) EXPECT_TRUE(valid(*space, genotype));
}

TEST(Sample, EveryValueOfEveryGeneIsDrawn) {
  const auto space = fnas_like();
  const auto& genes = space->genes();
  std::vector<std::vector<int>> seen(genes.size());
  Rng rng(3);
  for (int i = 0; i < 500; ++i) {
    const Genotype genotype = sample(*space, rng);
    for (std::size_t g = 0; g < genes.size(); ++g) seen[g].push_back(genotype[g]);
  }
  for (std::size_t g = 0; g < genes.size(); ++g) {
    for (int value = 0; value < genes[g].cardinality; ++value) {
      EXPECT_NE(std::find(seen[g].begin(), seen[g].end(), value), seen[g].end())
          << genes[g].name << " never took " << value;
    }
  }
}

TEST(Mutate, ChangesAnActiveGeneStaysInBoundsAndGivesANewNetwork) {
  for (const auto& space : {fnas_like(), quantized_blocks()}) {
    Rng rng(11);
    for (double rate : {0.0, 0.05, 0.5, 1.0}) {
      for (int i = 0; i < 100; ++i) {
        const Genotype parent = sample(*space, rng);
        const Genotype child = mutate(*space, parent, rng, rate);
        ASSERT_TRUE(valid(*space, child));
        EXPECT_NE(child, parent);
        EXPECT_NE(space->decode(child), space->decode(parent))
            << space->kind() << " " << to_string(parent) << " -> " << to_string(child);
      }
    }
  }
}

TEST(Mutate, RateZeroChangesExactlyOneActiveGeneRateOneChangesAll) {
  const auto space = quantized_blocks();
  const auto& genes = space->genes();
  Rng rng(5);
  for (int i = 0; i < 50; ++i) {
    const Genotype parent = sample(*space, rng);
    const auto active = space->active_genes(parent);
    const Genotype one = mutate(*space, parent, rng, 0.0);
    int changed = 0;
    for (std::size_t g = 0; g < genes.size(); ++g) {
      if (one[g] != parent[g]) {
        ++changed;
        EXPECT_TRUE(active[g]) << genes[g].name;
      }
    }
    EXPECT_EQ(changed, 1);
    const Genotype all = mutate(*space, parent, rng, 1.0);
    for (std::size_t g = 0; g < genes.size(); ++g) {
      if (genes[g].cardinality > 1) {
        EXPECT_NE(all[g], parent[g]) << genes[g].name;
      }
    }
  }
}

TEST(Mutate, SameSeedSameChild) {
  const auto space = fnas_like();
  Rng a(21);
  Rng b(21);
  const Genotype parent = sample(*space, a);
  EXPECT_EQ(parent, sample(*space, b));
  EXPECT_EQ(mutate(*space, parent, a, 0.2), mutate(*space, parent, b, 0.2));
}

TEST(Mutate, SingleNetworkSpaceGivesTheParentBack) {
  LayeredSpaceSpec spec;
  spec.layer_counts = {2};
  spec.kernels = {3};
  spec.filters = {8};
  spec.strides = {1};
  spec.pools = {PoolChoice::none};
  const auto space = make_layered_space(spec);
  EXPECT_EQ(space->size().exact, "1");
  Rng rng(1);
  const Genotype parent(space->genes().size(), 0);
  EXPECT_EQ(mutate(*space, parent, rng, 0.5), parent);
}

TEST(Mutate, BadRateOrParentThrows) {
  const auto space = fnas_like();
  Rng rng(1);
  const Genotype parent(space->genes().size(), 0);
  EXPECT_EQ(error_of([&] { mutate(*space, parent, rng, 1.5); }),
            "mutate: rate: expected a probability in [0, 1], got 1.5");
  EXPECT_EQ(error_of([&] { mutate(*space, Genotype{0}, rng, 0.1); }),
            "genotype: the layered space 'layered' has 33 genes, got 1 values");
}

TEST(Genotype, CheckNamesTheGene) {
  const auto space = fnas_like();
  Genotype genotype(space->genes().size(), 0);
  genotype[2] = 4;  // l0.filters has 4 choices
  EXPECT_FALSE(valid(*space, genotype));
  EXPECT_EQ(error_of([&] { space->decode(genotype); }),
            "genotype: gene 2 (l0.filters): value 4 outside 0..3");
  genotype[2] = -1;
  EXPECT_EQ(error_of([&] { space->describe(genotype); }),
            "genotype: gene 2 (l0.filters): value -1 outside 0..3");
}

TEST(Genotype, ParseAndPrint) {
  EXPECT_EQ(parse_genotype("3,0, 1 ,2"), (Genotype{3, 0, 1, 2}));
  EXPECT_EQ(to_string(Genotype{3, 0, 1, 2}), "3,0,1,2");
  EXPECT_EQ(parse_genotype("7"), (Genotype{7}));
  EXPECT_EQ(error_of([] { parse_genotype("1,x,2"); }),
            "genotype: item 1: expected a non-negative integer, got 'x'");
  EXPECT_EQ(error_of([] { parse_genotype("1,,2"); }),
            "genotype: item 1: expected a non-negative integer, got ''");
  EXPECT_EQ(error_of([] { parse_genotype("-1"); }),
            "genotype: item 0: expected a non-negative integer, got '-1'");
}

class ExampleSpace : public ::testing::TestWithParam<const char*> {};

TEST_P(ExampleSpace, SampledGenotypesDecodeToValidNetworksThatReadBack) {
  const auto space = io::read_space_file(example(GetParam()));
  EXPECT_GE(space->size().log10, 3.0);
  Rng rng(2024);
  for (int i = 0; i < 200; ++i) {
    const Genotype genotype = sample(*space, rng);
    const ir::Network net = space->decode(genotype);
    const auto analysed = ir::try_analyze(net);
    ASSERT_TRUE(std::holds_alternative<ir::NetworkStats>(analysed)) << to_string(genotype);
    EXPECT_EQ(std::get<ir::NetworkStats>(analysed).output, (ir::Shape{10, 1, 1}));
    // Decoded networks are within what the network reader accepts (every 10th: parsing is the
    // slow part).
    if (i % 10 == 0) {
      EXPECT_EQ(io::parse_network_yaml(io::network_to_yaml(net), "decoded"), net);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleSpace,
                         ::testing::Values("fnas.yaml", "fnas-quant.yaml", "mbv2.yaml",
                                           "nb201.yaml"));

}  // namespace
}  // namespace hwnas::space
