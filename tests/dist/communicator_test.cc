// tests/dist/communicator_test.cc — LocalCommunicator, the work dealer and byte packing
// (no MPI needed; tests/dist/mpi_fit.sh runs the real thing under mpirun).
#include "thunderdome/dist/communicator.h"

#include "../testing/thread_communicator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

namespace td::dist {
namespace {

TEST(LocalCommunicatorTest, IsRankZeroOfOne) {
  LocalCommunicator c;
  EXPECT_EQ(c.rank(), 0);
  EXPECT_EQ(c.size(), 1);
  std::vector<double> v{1.5, -2.0};
  c.allreduceSum(v);
  EXPECT_EQ(v, (std::vector<double>{1.5, -2.0}));
  std::vector<std::byte> b{std::byte{1}, std::byte{2}};
  c.broadcast(b, 0);
  EXPECT_EQ(b.size(), 2u);
  const auto all = c.allgather(b);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0], b);
  EXPECT_EQ(c.gather(b, 0), all);
  EXPECT_THROW((void)c.gather(b, 1), InternalError);
  c.barrier();
}

TEST(WorkDealerTest, DealsEachItemOnceInOrderAndRemembersTheRank) {
  WorkDealer d(4);
  EXPECT_EQ(d.next(0), 0);
  EXPECT_EQ(d.next(2), 1);
  EXPECT_EQ(d.next(1), 2);
  EXPECT_EQ(d.next(2), 3);
  EXPECT_EQ(d.next(0), -1);
  EXPECT_EQ(d.next(1), -1);
  EXPECT_EQ(d.owner(), (std::vector<int>{0, 2, 1, 2}));
}

TEST(WorkDealerTest, CancelStopsDealing) {
  WorkDealer d(10);
  EXPECT_EQ(d.next(1), 0);
  d.cancel();
  EXPECT_TRUE(d.cancelled());
  EXPECT_EQ(d.next(0), -1);
  EXPECT_EQ(d.owner()[1], -1);
}

TEST(WorkDealerTest, NoItems) {
  WorkDealer d(0);
  EXPECT_EQ(d.next(0), -1);
}

TEST(WorkDealerTest, GroupAffinityKeepsRanksToTheirGroupsInOrder) {
  // Items in cost order, three groups of three (group 5 costliest): rank 0 starts group 5,
  // rank 1 the next group nobody started, then each stays with its own group; a rank whose
  // group is used up starts the next fresh group, then takes the first item left.
  WorkDealer d(9, {5, 5, 5, 7, 7, 7, 2, 2, 2});
  EXPECT_EQ(d.next(0), 0);
  EXPECT_EQ(d.next(1), 3);
  EXPECT_EQ(d.next(1), 4);
  EXPECT_EQ(d.next(0), 1);
  EXPECT_EQ(d.next(1), 5);
  EXPECT_EQ(d.next(1), 6);  // group 7 used up: the fresh group 2
  EXPECT_EQ(d.next(2), 2);  // a new rank: no fresh group left, the first item left
  EXPECT_EQ(d.next(0), 7);  // group 5 used up, no fresh group: the first item left
  EXPECT_EQ(d.next(1), 8);
  EXPECT_EQ(d.next(0), -1);
  EXPECT_EQ(d.owner(), (std::vector<int>{0, 0, 2, 1, 1, 1, 1, 0, 1}));
  // Without groups: plain order.
  WorkDealer plain(3, {});
  EXPECT_EQ(plain.next(1), 0);
  EXPECT_EQ(plain.next(0), 1);
  EXPECT_THROW(WorkDealer(3, {1, 2}), InternalError);
}

// An event-driven run of a grouped dealer with single-worker ranks that ask for an item as soon
// as they finish one: an item of group g takes cost.at(g) seconds, plus `setup` on a rank that
// had not had group g before. With `reports`, each request reports the item finished last.
// Returns when the last item ends; `owner` gets who fitted what.
struct Played {
  double end = 0.0;
  std::vector<int> owner;
};
Played play(const std::vector<std::int64_t>& groups, const std::map<std::int64_t, double>& cost,
            double setup, int ranks, bool reports) {
  WorkDealer d(static_cast<std::int64_t>(groups.size()), groups);
  std::vector<double> free(static_cast<std::size_t>(ranks), 0.0);
  std::vector<ItemDone> last(static_cast<std::size_t>(ranks));
  std::vector<std::vector<std::int64_t>> held(static_cast<std::size_t>(ranks));
  std::vector<char> retired(static_cast<std::size_t>(ranks), 0);
  Played out;
  for (;;) {
    int r = -1;
    for (int k = 0; k < ranks; ++k)  // the rank free first asks first (ties: the lower rank)
      if (!retired[static_cast<std::size_t>(k)] && (r < 0 || free[static_cast<std::size_t>(k)] < free[static_cast<std::size_t>(r)])) r = k;
    if (r < 0) break;
    const auto rr = static_cast<std::size_t>(r);
    const std::int64_t item = d.next(r, free[rr], reports ? last[rr] : ItemDone{});
    if (item < 0) {
      retired[rr] = 1;
      continue;
    }
    const std::int64_t g = groups[static_cast<std::size_t>(item)];
    const bool fresh = std::find(held[rr].begin(), held[rr].end(), g) == held[rr].end();
    if (fresh) held[rr].push_back(g);
    const double s = fresh ? setup : 0.0;
    last[rr] = {item, s + cost.at(g), s};
    free[rr] += s + cost.at(g);
    out.end = std::max(out.end, free[rr]);
  }
  out.owner = d.owner();
  return out;
}

TEST(WorkDealerTest, MeasuredCostsGiveAnIdleRankAShareOfTheCostlyGroup) {
  // The spam CV job at 4,836 rows on 2 ranks x 1 thread (measured): the 2^18 group's items
  // take 0.55 s, 2^14's 0.23 s, 2^10's 0.13 s, featurizing a group 0.07 s. By affinity alone
  // rank 0 fits all three 2^18 items while rank 1 runs out of work; with the items' measured
  // costs rank 1 takes one of them.
  const std::vector<std::int64_t> groups{2, 2, 2, 1, 1, 1, 0, 0, 0};
  const std::map<std::int64_t, double> cost{{2, 0.55}, {1, 0.23}, {0, 0.13}};
  const Played rule = play(groups, cost, 0.07, 2, false);
  EXPECT_NEAR(rule.end, 0.07 + 3 * 0.55, 1e-9);
  EXPECT_EQ(rule.owner, (std::vector<int>{0, 0, 0, 1, 1, 1, 1, 1, 1}));
  const Played measured = play(groups, cost, 0.07, 2, true);
  EXPECT_LT(measured.end, rule.end - 0.1);
  EXPECT_EQ(std::count(measured.owner.begin(), measured.owner.begin() + 3, 1), 1);
  EXPECT_EQ(std::count(measured.owner.begin(), measured.owner.end(), -1), 0);  // all dealt once

  // At 48,360 rows the groups cost 4.5, 3.5 and 2.1 s and featurizing 1.1 s: affinity already
  // balances; measuring must not make it worse (nor add featurizing that does not pay).
  const std::map<std::int64_t, double> cost10{{2, 4.5}, {1, 3.5}, {0, 2.1}};
  const Played rule10 = play(groups, cost10, 1.1, 2, false);
  const Played measured10 = play(groups, cost10, 1.1, 2, true);
  EXPECT_LE(measured10.end, rule10.end + 1e-9);
  EXPECT_LT(measured10.end, rule10.end - 0.2);  // 17.5 s against 17.8 s
  // Three ranks: every item dealt once, and no later than by the rule.
  const Played three = play(groups, cost, 0.07, 3, true);
  EXPECT_EQ(std::count(three.owner.begin(), three.owner.end(), -1), 0);
  EXPECT_LE(three.end, play(groups, cost, 0.07, 3, false).end + 1e-9);

  // One group only, or reports without any measured cost: the rule's order.
  const Played one = play({4, 4, 4, 4}, {{4, 1.0}}, 0.5, 2, true);
  EXPECT_EQ(one.owner, (std::vector<int>{0, 1, 0, 1}));
  WorkDealer d(3, {1, 1, 2});
  EXPECT_EQ(d.next(0, 0.0, ItemDone{}), 0);
  EXPECT_EQ(d.next(1, 0.0, ItemDone{}), 2);  // the fresh group
  EXPECT_EQ(d.next(0, 1.0, ItemDone{0, 1.0, 0.0}), 1);
  EXPECT_EQ(d.next(1, 2.0, ItemDone{2, 2.0, 0.0}), -1);
}

TEST(LocalWorkQueueTest, ThreadsShareTheItemsDynamically) {
  const std::int64_t items = 1000;
  auto q = LocalCommunicator().workQueue(items);
  std::vector<std::atomic<int>> hits(items);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (std::int64_t i = q->next(); i >= 0; i = q->next()) hits[static_cast<std::size_t>(i)]++;
    });
  for (auto& t : threads) t.join();
  q->finish();
  for (const auto& h : hits) EXPECT_EQ(h.load(), 1);
}

TEST(LocalWorkQueueTest, CancelEndsEveryWorker) {
  auto q = LocalCommunicator().workQueue(100);
  EXPECT_EQ(q->next(), 0);
  q->cancel();
  EXPECT_EQ(q->next(), -1);
}

TEST(ByteWriterTest, RoundTripsValuesAndStrings) {
  ByteWriter w;
  w.put<std::int64_t>(-7).putString("rank 1: bad").put<double>(0.25).putString("");
  ByteReader r(w.bytes());
  EXPECT_EQ(r.get<std::int64_t>(), -7);
  EXPECT_EQ(r.getString(), "rank 1: bad");
  EXPECT_EQ(r.get<double>(), 0.25);
  EXPECT_EQ(r.getString(), "");
  EXPECT_THROW((void)r.get<std::uint8_t>(), InternalError);
}

TEST(Fnv1aTest, KnownValueAndChaining) {
  EXPECT_EQ(fnv1a(""), 14695981039346656037ULL);
  EXPECT_EQ(fnv1a("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a("b", fnv1a("a")), fnv1a("ab"));
}

TEST(CommunicatorTest, EqualBlockAllgatherAndAlltoall) {
  // The base class's versions (through allgather), on 3 thread ranks: rank r sends block q
  // holding 100·r + q (two int32 per block).
  std::vector<std::vector<std::int32_t>> gathered(3), exchanged(3);
  testing::runRanks(3, [&](testing::ThreadCommunicator& comm) {
    const int r = comm.rank();
    std::vector<std::int32_t> mine(6), theirs(6), all(6);
    for (int q = 0; q < 3; ++q) mine[2 * q] = mine[2 * q + 1] = 100 * r + q;
    comm.alltoallEqual(std::as_bytes(std::span<const std::int32_t>(mine)),
                       std::as_writable_bytes(std::span<std::int32_t>(theirs)));
    const std::int32_t two[2] = {r, -r};
    comm.allgatherEqual(std::as_bytes(std::span<const std::int32_t>(two)),
                        std::as_writable_bytes(std::span<std::int32_t>(all)));
    exchanged[static_cast<std::size_t>(r)] = theirs;
    gathered[static_cast<std::size_t>(r)] = all;
  });
  for (int r = 0; r < 3; ++r) {
    // Block s of rank r's result: rank s's block r.
    EXPECT_EQ(exchanged[static_cast<std::size_t>(r)],
              (std::vector<std::int32_t>{r, r, 100 + r, 100 + r, 200 + r, 200 + r}));
    EXPECT_EQ(gathered[static_cast<std::size_t>(r)],
              (std::vector<std::int32_t>{0, 0, 1, -1, 2, -2}));
  }
}

TEST(WorldTest, PlainProcessGetsALocalCommunicator) {
  // Not started by mpirun: no MPI, rank 0 of 1.
  const auto c = makeWorldCommunicator();
  EXPECT_EQ(c->size(), 1);
  EXPECT_EQ(c->rank(), 0);
}

}  // namespace
}  // namespace td::dist
