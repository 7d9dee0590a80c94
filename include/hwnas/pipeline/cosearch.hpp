#pragma once
// NAHAS's joint search as a search space: a genotype holds network genes and accelerator genes
// side by side, so every search algorithm (random, evolution, NSGA-II, the FNAS controller)
// searches both without knowing it. The three modes of the comparison are three views of the
// same pair of spaces:
//   joint      network genes, then accelerator genes ("accel.<parameter>")
//   fixed-hw   network genes only; the accelerator is the fixed one
//   fixed-net  accelerator genes only; the network is the fixed genotype
// The space knows nothing about the accelerator beyond its genes: the pipeline turns the
// accelerator's gene values into a configuration (cost::SystolicSpace).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hwnas/cost/systolic.hpp"
#include "hwnas/pipeline/run_config.hpp"
#include "hwnas/space/search_space.hpp"

namespace hwnas::pipeline {

struct AcceleratorGenes {
  std::vector<space::Gene> genes;  // one per accelerator parameter, named "accel.<parameter>"
  std::vector<int> fixed;          // the fixed accelerator's values (fixed-hw)
  // One line for people, from gene values (e.g. "8x8 PE, 4 SIMD x 8 lanes, ...").
  std::function<std::string(const std::vector<int>&)> describe;
};

class CoSearchSpace final : public space::SearchSpace {
 public:
  // `fixed_network` is used by fixed-net only (empty otherwise). Throws InputError when the
  // fixed values do not fit their genes.
  CoSearchSpace(std::shared_ptr<const space::SearchSpace> network, AcceleratorGenes accelerator,
                CoSearchMode mode, space::Genotype fixed_network = {});

  std::string_view kind() const override { return "cosearch"; }
  const std::string& name() const override { return network_->name(); }
  const std::vector<space::Gene>& genes() const override { return genes_; }
  ir::Network decode(const space::Genotype& genotype) const override;
  std::vector<bool> active_genes(const space::Genotype& genotype) const override;
  // "<network description> | <accelerator description>"
  std::string describe(const space::Genotype& genotype) const override;
  space::SpaceSize size() const override;

  CoSearchMode mode() const { return mode_; }
  const space::SearchSpace& network_space() const { return *network_; }
  // The two halves of a genotype of this space. Throw as decode for an invalid genotype.
  space::Genotype network_genotype(const space::Genotype& genotype) const;
  std::vector<int> accelerator_genes(const space::Genotype& genotype) const;

 private:
  std::shared_ptr<const space::SearchSpace> network_;
  AcceleratorGenes accelerator_;
  CoSearchMode mode_;
  space::Genotype fixed_network_;
  std::vector<space::Gene> genes_;
  std::size_t network_gene_count_ = 0;  // how many leading genes are the network's
};

// What template systolic needs beyond the space: the accelerator space (one value per parameter
// when the run searches no accelerator), the fixed accelerator (the run's accelerator file) and
// the energy and area constants.
struct SystolicSetup {
  cost::SystolicSpace space;
  cost::SystolicConfig fixed;
  cost::SystolicConstants constants;
};

// Reads run.accelerator_file and run.accelerator_space_file (and the built-in constants), and
// sets run.systolic, run.cosearch and run.space. Throws InputError naming the file and key:
// the fixed accelerator must be one of the space's configurations.
void setup_systolic(RunConfig& run);

struct SystolicCost {
  bool feasible = true;
  std::string reason;  // why a layer cannot run, when not feasible
  double latency_ms = 0;
  double energy_mj = 0;  // per batch of the network (batch 1: per image)
  double area_mm2 = 0;
  std::string config_yaml;  // the accelerator, as an accelerator file
};

// The cost of `network` on the accelerator that `accelerator_genes` select. Thread-safe.
SystolicCost systolic_cost(const SystolicSetup& setup, const ir::Network& network,
                           const std::vector<int>& accelerator_genes);

}  // namespace hwnas::pipeline
