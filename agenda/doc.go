// Package agenda places a fair's meetings in time slots and at tables.
//
// It implements the `fairmatch agenda` contract of formats.md §4 (a [Request]
// in, a [Result] out) and, on top of it, the product path of §5: [BuildFair]
// turns a fair's day, its people's availability windows and the matcher's
// proposals into the published [fairmatch.Agenda].
//
// Everything here is a pure function of its inputs: no I/O, no global state,
// no logging. [Solve] reports progress through [Options.Progress] and stops
// when its context is done or its time limit has passed.
//
// # Method
//
// [Solve] first derives what every schedule must satisfy: the start slots each
// meeting may use (its session, its pinned slot, its attendees' unavailable
// slots), narrowed along the `after` precedences. From these it proves
// infeasibility where a simple argument suffices (a meeting with no possible
// slot, a pinned clash, a participant whose meetings need more slots than they
// have, more meeting-slots than tables × slots, a precedence chain longer than
// the day, a cycle of `after` — an impossible request, not bad input: the
// result is written, "infeasible", naming the cycle) and computes a lower bound on the total of breaks: per
// participant, from the runs of slots their meetings can use, and, where
// slots are crowded, from counts: a slot seats at most the attendees of its
// tables' meetings, so some participants must be idle in it, and when too
// few can be idle there without a break, breaks are forced (a Lagrangian
// bound over every participant's busy slots, see model.countBound). A
// second bound (model.breakBound) groups participants with the same meetings,
// splits the groups into the two sides of the event (enterprises and
// universities: no meeting has two attendees of one side, so at most
// `tables` of a side are busy in a slot), takes each group's earliest and
// latest possible busy slots, and combines them by a Lagrangian relaxation;
// max_break_spread lifts everyone to the largest forced count minus the
// spread. The larger of the two is the start of the search.
//
// Tiny instances (a handful of meetings) are then searched exhaustively, which
// proves the optimum or infeasibility. Larger ones are built by a DSatur-like
// constructive placement (the meeting with the fewest usable slots first, at
// the slot that adds the fewest breaks) and improved by simulated annealing
// over moves that keep every hard rule: relocating a meeting, swapping a Kempe
// chain of meetings between two slots, and inserting a left-out meeting by
// ejecting the meetings in its way. The search is lexicographic: first as many
// meetings as possible, then the higher-priority ones (earlier in the request),
// then the fewest breaks. max_break_spread is a hard rule: a complete schedule
// that breaks it is never returned. The annealing honours it as it goes:
// in the second half of each round its soft cost adds, to the breaks,
// every break over the fewest of anyone plus the spread (summed over the
// participants, so that each one brought back within the limit counts; the
// first half, hotter, minimises breaks alone), and half the targeted moves
// are on the participants over the limit. Only when no complete schedule that obeys
// it has been found by the end are meetings left out until the rest obeys
// it (after moves that lower the excess), and the result is "partial".
//
// When no bound rules out a schedule without a break (requests of up to
// firstMax meetings, not a re-plan), one is looked for first, as it would
// be optimal (zeroFirst): a block search (blocks.go: per participant, one
// block of consecutive slots filled one meeting to a slot, by bipartite
// matching propagation, within a small node budget) finds one or proves
// that there is none (the lower bound is then 1); then many short runs of
// the SAT encoding below at bound 0, each from random phases — on
// forum-13 a short run often succeeds where a long one would wander — again
// after every round of the exact search until one is found.
// Before any annealing (requests of up to firstMax meetings, not a
// re-plan), the constructed schedule is handed to one round of the exact
// search below, its budget (in conflicts, and at most a quarter of the
// time left) all spent raising the lower bound from below, the solver's
// phases set to the constructed schedule (even one over max_break_spread):
// where the SAT encoding proves the bound and finds a schedule at it
// quickly (forum-14: bound 2) the search ends there.
// After each annealing stint, a large-neighbourhood search asks the SAT
// solver for fewer breaks with most meetings fixed at their slot in the best
// schedule: the meetings of everyone with a break, of a few random
// participants and of a random window of slots are freed (the fixed ones are
// assumptions, so learnt clauses stay valid); a refutation that used no
// fixed meeting proves the best optimal. Under a bound below a quarter of
// the participants, the encoding also counts the participants with a
// break (at most the bound) and gives every participant without one a
// block start (order encoding) that all their meetings follow
// contiguously, with clauses between the block starts of a meeting's
// attendees (encoding.blocks): most participants are then blocks, and the
// solver reasons about whole blocks (forum-14, bound 2: 0.22 s).
// Otherwise, once the annealing stalls, a complete schedule is handed to an exact
// search: a SAT encoding of the complete schedules (a variable per meeting
// and start slot, per participant and slot "busy" and "busy later", and a
// break variable where a participant is busy, idle next, and busy again
// later, as in Bofill et al., JAIR 2022), with the counts every
// participant's busy slots must add up to and the seats of every slot,
// solved by the package's own CDCL solver with native cardinality
// constraints. The bound on the total of breaks (and every participant's
// breaks by max_break_spread, which is exact while the bound is below the
// number of participants, as someone then has none) is first raised from
// below: a refutation of "at most the lower bound" raises the lower bound
// by one. Then each call bounds the total below the best found, the
// solver's phases set to the best schedule: a model is a better schedule, a
// refutation proves the best optimal. The exact search runs in rounds,
// alternating with stints of annealing from the best schedule (each until
// a few rounds bring nothing), every round given about the work of the
// stint before it, counted in conflicts; the solver keeps what it has
// learnt from one round to the next. The annealing and the exact search
// find different schedules: on some instances one, on others the other.
//
// While the annealing leaves meetings out (and nothing proves that it
// must), the SAT encoding is asked for any complete schedule between its
// stints, from the placement in hand (completeRound); once one is found,
// the search goes on from it as above.
//
// When meetings are left out, the same encoding (max_break_spread aside)
// proves infeasibility the simple arguments miss, and a deletion search,
// lowest-priority meeting first, finds a conflicting set of meetings, minimal
// when every refutation finished within its budget; Reason names those
// meetings with their attendees, pins, sessions and precedences, and the
// unavailable slots of their participants. A count of meeting-slots against
// tables × slots (for the day, a session or a seat level) needs no such set:
// its numbers say how much is missing.
//
// # Seats
//
// A request may give the seats of its tables: "table_seats", an extension
// of formats.md §4 (a list of `tables` counts, 0 for a table that seats
// any number; without it every table seats any number, and the checker of
// formats.md §4 ignores it). A meeting then sits only at a table with a
// seat for each of its attendees. Per slot, the meetings needing at least
// some number of seats may not outnumber the tables that have that many:
// one count per seat level (the distinct needs of the meetings), Hall's
// condition for these nested sets of tables, exact for meetings of one
// slot. Every part of the search enforces it where it enforces `tables`:
// the construction and the moves (state.fits, the Kempe swap, the insert
// move ejecting meetings of the crowded level), the exhaustive search,
// the SAT encoding (a cardinality per slot and level) and the re-plan. A
// meeting larger than every table is proven impossible ("meeting M has N
// attendees; the largest table seats K"), as are more meetings of a level
// pinned to a slot than its tables (they are named). The lower bounds
// assume no seats and stay valid. A meeting of several slots keeps its
// table, which the per-slot counts do not capture: for such meetings they
// are a relaxation, and one the table assignment cannot seat is left out
// (status "partial", Reason names it). [BuildFair] places one-slot
// meetings only, for which the counts are exact.
//
// Tables are interchangeable for feasibility (at most `tables` meetings per
// slot suffices, as meetings are intervals; with seats, the counts per
// level), so they are assigned at the end,
// to spare table changes (a participant changes table when two of their
// consecutive meetings are at different tables): slot by slot, in time
// order, the meetings starting in a slot are seated by a maximum-weight
// matching of meetings to free tables, a meeting's arc to a table weighing
// the attendees whose previous meeting was there (successive shortest
// paths on the sparse graph). With seats, a meeting has an arc to every
// free table that seats it, and the weights put first as many meetings
// seated as can be, then the table changes, then the smallest tables. Each slot's seating is thus optimal given the
// slots before, not the day's as a whole; slots, breaks and status never
// depend on it.
//
// # Re-planning
//
// With [Options.Keep], a previous result, Solve re-plans after
// cancellations, new meetings or changed availability. The objective gains
// a term between the priority of the meetings left out and the breaks: the
// fewest meetings of the previous result moved (placed at another start
// slot, or left unscheduled). Meetings of the previous result that the
// request no longer has are cancellations and count for nothing; new ones
// are free. The search is seeded with the kept placements that still obey
// every rule (in order of priority: a kept meeting clashing with an
// earlier one is placed anew); the construction places the rest, and the
// annealing never takes a move that moves more kept meetings unless it
// places more meetings or ones of higher priority, an insertion placing the
// meetings it ejects again at once. Tables are kept where a meeting keeps
// its slot (the kept table taken first, before any table change is
// weighed). [Result.Moved] and [Result.TableChanged] (an extension of
// formats.md §4, like Reason) count the moves and the meetings only seated
// at another table.
//
// The exact search does not run in a re-plan (its objective knows no
// moves). "optimal" is then claimed when the exhaustive search proves it
// for the whole objective, when every placed meeting sits at its kept slot
// and nothing else can be placed (a re-plan after cancellations only), or
// when the moves are those every schedule makes (kept slots no longer
// allowed) and the breaks are at the lower bound; otherwise a complete
// re-plan is "feasible".
//
// # Caveats
//
// "optimal" is claimed only when proven: by the exhaustive search, by a
// refutation of the exact search, or when the total of breaks equals the
// lower bound (the static ones or one raised by refutations); "infeasible"
// only by a simple argument, the exhaustive search or a refutation. Results
// are deterministic for a given request and seed unless the time limit or
// the context cuts the search short, since where it stops then depends on
// the machine.
package agenda
