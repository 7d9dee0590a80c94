#include <utility>

#include "hwnas/core/rng.hpp"
#include "hwnas/search/algorithms.hpp"

namespace hwnas::search {

namespace {

constexpr std::string_view kName = "random";

class RandomSearch final : public Algorithm {
 public:
  RandomSearch(const space::SearchSpace& space, std::uint64_t seed) : space_(space), rng_(seed) {}

  std::string_view name() const override { return kName; }

  std::vector<space::Genotype> ask(std::size_t count) override {
    check_ask(kName, count, awaiting_tell_);
    asked_.clear();
    for (std::size_t i = 0; i < count; ++i) asked_.push_back(space::sample(space_, rng_));
    awaiting_tell_ = true;
    return asked_;
  }

  void tell(const std::vector<Outcome>& outcomes) override {
    check_tell(kName, awaiting_tell_, asked_, outcomes);
    awaiting_tell_ = false;
  }

 private:
  const space::SearchSpace& space_;
  Rng rng_;
  std::vector<space::Genotype> asked_;
  bool awaiting_tell_ = false;
};

}  // namespace

std::unique_ptr<Algorithm> make_random_search(const space::SearchSpace& space, std::uint64_t seed) {
  return std::make_unique<RandomSearch>(space, seed);
}

}  // namespace hwnas::search
