// Package matcher finds which university offerings fit which enterprise
// problems and chooses the meetings of a fair. It is made of pure functions of
// their inputs: no I/O beyond the io.Reader and io.Writer it is given, no
// global state.
//
// # Relevance
//
// [Analyze] turns text into terms: overlapping bigrams for Han text (Chinese
// has no spaces), case-folded, stop-word-filtered, lightly stemmed words for
// Latin text, with acronyms and model numbers (5G, GaN, dPCR) kept whole.
//
// [NewIndex] analyses a dataset's offerings (title, keywords, description,
// domains) into forward and inverted indexes and each problem into a weighted
// query. [Index.Score] scores a problem against an offering, an expert or a
// university; [Index.Candidates] finds a problem's best offerings through the
// inverted index.
//
// # Vocabulary
//
// Enterprises and professors name the same thing differently ("激光焊接焊缝有
// 气孔" against "激光焊熔池监测与缺陷控制"). [NewIndexWith] closes the gap with
// options:
//
//   - A [Thesaurus] ([ParseThesaurus], the YAML of configs/): every thesaurus
//     term found in an offering's fields also indexes its synonym group as a
//     concept term, and every term found in a problem adds that concept to
//     the query, weighted like the words it replaces (field weight × number
//     of terms of the phrase × the concept's idf). An offering covers the
//     concept through any synonym, in any language, at full credit, or
//     through a broader or narrower group at half credit. The why names the
//     synonym used: "激光焊接 ≈ 激光焊", or "焊接缺陷 ~ porosity" for a
//     related term.
//   - History: a pair whose earlier meetings led to a contract scores
//     s + 0.1·(1 − s) instead of s (only when s > 0).
//
// Pseudo-relevance feedback (adding the terms common to a problem's best
// offerings) was measured on the planted benchmark and did not help (−0.02
// to +0.01 nDCG@10), so it is not offered.
//
// # Score scale
//
// A score lies in [0,1] and is comparable across problems, so a fixed
// min_relevance threshold is meaningful:
//
//   - 0: the offering shares no term, keyword or domain with the problem.
//   - 1: every term of the problem, weighted by its importance (field weight
//     × idf), occurs in the offering's title or keywords, and every problem
//     keyword occurs there as a phrase.
//   - In between it is the importance-weighted share of the problem that the
//     offering covers: 3/4 bag-of-words (BM25F: title and keywords weigh 3,
//     domains 2, description 1; term frequency saturated) and 1/4 the share
//     of the problem's keywords found as phrases (when it has keywords).
//
// Thesaurus concepts count like terms, so scores with a thesaurus stay in
// [0,1] with the same meaning. On the package's small planted test set, offerings written for a problem score
// 0.85–0.97 and those sharing only a domain and a generic word 0.08–0.15; a
// min_relevance around 0.2 separates them. Long problem descriptions lower
// every score of that problem (more of it is left uncovered). Scores depend on the whole dataset (idf), are deterministic, and are
// the same whether obtained from Score, Candidates or Match.
//
// # Assignment
//
// [Assign] chooses pairs under per-id minimum and maximum counts. The Total
// objective is an exact min-cost circulation (max flow for feasibility, then
// cost scaling push–relabel); tests check it against GLPK's LP optimum. The
// Fair objective (the smallest per-left sum first, then the total) is
// NP-hard; it is solved exactly by branch and bound over circulation and
// Lagrangian relaxations, and under a ctx deadline may return its best
// assignment with [ErrNotProven]. [ReadScores], [ReadBounds] and
// [WriteAssign] read and write the CSV tables of formats.md §3, [ScoreCSV]
// the tables of §2.
//
// # Matching
//
// [Match] (or [MatchWith], with index options) builds one fair's proposals: one per enterprise–university pair,
// covering up to a few problem–offering items, chosen by [Assign] under the
// fair's limits so that every enterprise gets a meeting before any gets a
// second (an internal coverage-first objective, solved by one circulation).
//
// # Caveats
//
// Fair's running time is exponential in the worst case: on random instances
// with tight capacities and close scores a few hundred lefts are proven in
// seconds, some instances of a thousand are not proven in 10 s (see
// [Assign]). The per-expert meeting limit of Match is enforced after the
// assignment, not inside it. See [Assign] and [Match].
package matcher
