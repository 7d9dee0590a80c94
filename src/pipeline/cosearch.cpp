#include "hwnas/pipeline/cosearch.hpp"

#include <cmath>

#include <fmt/format.h>

#include "hwnas/core/error.hpp"
#include "hwnas/io/systolic_yaml.hpp"

namespace hwnas::pipeline {

namespace {

// A decimal string times a small factor, exactly (space sizes can exceed 2^64).
std::string times(const std::string& decimal, std::uint64_t factor) {
  std::string out;
  unsigned __int128 carry = 0;
  for (auto it = decimal.rbegin(); it != decimal.rend(); ++it) {
    const unsigned __int128 value = static_cast<unsigned __int128>(*it - '0') * factor + carry;
    out.push_back(static_cast<char>('0' + static_cast<int>(value % 10)));
    carry = value / 10;
  }
  while (carry > 0) {
    out.push_back(static_cast<char>('0' + static_cast<int>(carry % 10)));
    carry /= 10;
  }
  while (out.size() > 1 && out.back() == '0') out.pop_back();
  return {out.rbegin(), out.rend()};
}

void check_values(const std::vector<space::Gene>& genes, const std::vector<int>& values,
                  std::string_view what) {
  if (values.size() != genes.size()) {
    throw InputError(std::string(what), "genotype",
                     fmt::format("{} values for {} genes", values.size(), genes.size()));
  }
  for (std::size_t i = 0; i < genes.size(); ++i) {
    if (values[i] < 0 || values[i] >= genes[i].cardinality) {
      throw InputError(std::string(what), genes[i].name,
                       fmt::format("value {} outside 0..{}", values[i], genes[i].cardinality - 1));
    }
  }
}

}  // namespace

CoSearchSpace::CoSearchSpace(std::shared_ptr<const space::SearchSpace> network,
                             AcceleratorGenes accelerator, CoSearchMode mode,
                             space::Genotype fixed_network)
    : network_(std::move(network)),
      accelerator_(std::move(accelerator)),
      mode_(mode),
      fixed_network_(std::move(fixed_network)) {
  check_values(accelerator_.genes, accelerator_.fixed, "fixed accelerator");
  if (mode_ == CoSearchMode::fixed_net) space::check_genotype(*network_, fixed_network_);
  if (mode_ != CoSearchMode::fixed_net) {
    genes_ = network_->genes();
    network_gene_count_ = genes_.size();
  }
  if (mode_ != CoSearchMode::fixed_hw) {
    genes_.insert(genes_.end(), accelerator_.genes.begin(), accelerator_.genes.end());
  }
}

space::Genotype CoSearchSpace::network_genotype(const space::Genotype& genotype) const {
  space::check_genotype(*this, genotype);
  if (mode_ == CoSearchMode::fixed_net) return fixed_network_;
  return {genotype.begin(), genotype.begin() + static_cast<std::ptrdiff_t>(network_gene_count_)};
}

std::vector<int> CoSearchSpace::accelerator_genes(const space::Genotype& genotype) const {
  space::check_genotype(*this, genotype);
  if (mode_ == CoSearchMode::fixed_hw) return accelerator_.fixed;
  return {genotype.begin() + static_cast<std::ptrdiff_t>(network_gene_count_), genotype.end()};
}

ir::Network CoSearchSpace::decode(const space::Genotype& genotype) const {
  return network_->decode(network_genotype(genotype));
}

std::vector<bool> CoSearchSpace::active_genes(const space::Genotype& genotype) const {
  std::vector<bool> active;
  if (mode_ != CoSearchMode::fixed_net) active = network_->active_genes(network_genotype(genotype));
  // Every accelerator gene changes the configuration (their value lists hold no repeats).
  active.resize(genes_.size(), true);
  return active;
}

std::string CoSearchSpace::describe(const space::Genotype& genotype) const {
  return network_->describe(network_genotype(genotype)) + " | " +
         accelerator_.describe(accelerator_genes(genotype));
}

space::SpaceSize CoSearchSpace::size() const {
  space::SpaceSize size{"1", 0.0};
  if (mode_ != CoSearchMode::fixed_net) size = network_->size();
  if (mode_ != CoSearchMode::fixed_hw) {
    for (const space::Gene& gene : accelerator_.genes) {
      size.exact = times(size.exact, static_cast<std::uint64_t>(gene.cardinality));
      size.log10 += std::log10(static_cast<double>(gene.cardinality));
    }
  }
  return size;
}

void setup_systolic(RunConfig& run) {
  auto setup = std::make_shared<SystolicSetup>();
  setup->fixed = io::read_systolic_file(run.accelerator_file);
  setup->constants = io::read_systolic_constants();
  if (run.accelerator_space_file.empty()) {
    // No accelerator genes to search: a space of the one accelerator.
    for (std::size_t i = 0; i < cost::systolic_parameter_names().size(); ++i) {
      setup->space.parameters.push_back(
          {cost::systolic_parameter_names()[i], {cost::systolic_parameter(setup->fixed, i)}});
    }
    setup->space.default_config = setup->fixed;
  } else {
    setup->space = io::read_systolic_space_file(run.accelerator_space_file);
  }
  AcceleratorGenes genes;
  for (const auto& [name, cardinality] : setup->space.genes()) {
    genes.genes.push_back({name, cardinality});
  }
  try {
    genes.fixed = setup->space.genes_for(setup->fixed);
  } catch (const InputError& e) {
    throw InputError(run.accelerator_file, "systolic",
                     fmt::format("the fixed accelerator is not in the accelerator space {}: {}",
                                 run.accelerator_space_file, e.what()));
  }
  genes.describe = [setup](const std::vector<int>& values) {
    return cost::describe(setup->space.config_for(values));
  };
  run.systolic = setup;
  run.cosearch = std::make_shared<const CoSearchSpace>(
      run.network_space, std::move(genes), run.mode, run.fixed_network.value_or(space::Genotype{}));
  run.space = run.cosearch;
}

SystolicCost systolic_cost(const SystolicSetup& setup, const ir::Network& network,
                           const std::vector<int>& accelerator_genes) {
  const cost::SystolicConfig config = setup.space.config_for(accelerator_genes);
  const cost::SystolicReport report = cost::estimate_systolic(network, config, setup.constants);
  SystolicCost cost;
  cost.feasible = report.feasible;
  cost.reason = report.reason;
  cost.latency_ms = report.latency_ms;
  cost.energy_mj = report.energy_mj;
  cost.area_mm2 = report.area_mm2;
  cost.config_yaml = io::to_yaml(config);
  return cost;
}

}  // namespace hwnas::pipeline
