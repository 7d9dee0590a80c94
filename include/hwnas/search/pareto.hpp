#pragma once
// Pareto utilities over objective vectors, all objectives minimised: dominance, the
// non-dominated set, Deb's non-dominated sorting and crowding distance (NSGA-II, Deb et al.
// 2002), and the exact hypervolume a front dominates.
//
// Every function that takes a set of points throws InputError("pareto", <what>, reason) when the
// points do not all have the same number of objectives, or when one holds NaN: a missing
// measurement has no place in a front, so callers decide first what NaN means (the search
// algorithms read it as +inf, the worst value).

#include <cstddef>
#include <vector>

namespace hwnas::search {

// True when `a` is no worse than `b` in every objective and better in at least one.
// Throws InputError when the sizes differ. A NaN coordinate compares false both ways, so it
// never lets either point dominate the other.
bool dominates(const std::vector<double>& a, const std::vector<double>& b);

// Indices (ascending) of the points no other point dominates. Of several equal non-dominated
// points only the first is kept. O(n log n + n * front * m).
std::vector<std::size_t> pareto_front(const std::vector<std::vector<double>>& points);

// Deb's fast non-dominated sorting: front 0 holds the points nothing dominates, front k those
// dominated only by points of fronts < k. Every index appears in exactly one front, in
// ascending order within it; equal points share a front (unlike pareto_front, which keeps one).
// O(m n^2).
std::vector<std::vector<std::size_t>> non_dominated_sort(
    const std::vector<std::vector<double>>& points);

// Crowding distance of each point of one front (Deb et al. 2002): for each objective, the gap
// between a point's two neighbours in that objective divided by the objective's range, summed
// over objectives. The extreme points of any objective get +inf, and so does every point of a
// front of one or two. An objective whose range is zero or infinite adds nothing to the
// interior points (their neighbours' gap cannot be normalised). Equal values keep index order.
std::vector<double> crowding_distance(const std::vector<std::vector<double>>& points);

// The volume of the region dominated by the points and bounded by `reference`: the measure of
// the union of the boxes [p, reference] over the points p strictly better than the reference in
// every objective; the other points add nothing. Exact in any dimension: a sweep in 2-D
// (O(n log n)), and above that slicing along the last objective down to the 2-D sweep (HSO,
// While et al. 2006), O(n^(m-1) log n): fine for the fronts of a search (a few hundred points,
// three objectives). 0 for no points. Throws InputError for an empty or NaN reference, or a
// point whose size differs from the reference's.
double hypervolume(const std::vector<std::vector<double>>& points,
                   const std::vector<double>& reference);

}  // namespace hwnas::search
