// Package report computes what the organizers report after their fairs —
// problems raised and matched, meetings proposed and held, outcomes by
// stage, per industrial park and per university — and renders it as CSV,
// XLSX and SVG charts.
//
// # Basics
//
// The package does no I/O of its own: the caller reads the store and hands
// Compute an Input (the dataset and, for each fair, its proposals, published
// agenda, cancelled meetings and participants' responses). Compute is a pure
// function of it; WriteCSV and WriteXLSX write the result, and BarChart and
// StackedBar draw it.
//
//	rep := report.Compute(report.Input{Year: 2027, Dataset: ds, Fairs: fairs})
//	err := report.WriteXLSX(w, rep)
//	chart := report.BarChart("Meetings held per park", bars)
//
// # Definitions
//
// A problem is raised at a fair if its Fairs name the fair, or if it names
// no fair and was proposed there (a problem without fairs is open to every
// fair; it counts where it was taken up). A year report counts a problem
// once: it is raised in the year if it names one of the year's fairs or
// names none. A problem is matched if a proposal of the fair (of one of the
// year's fairs) covers it.
//
// A meeting is proposed once per proposal; scheduled if the published
// agenda places it and it was not cancelled since; declined if every
// attendee of one side (the enterprise's people or the university's) has
// declined it; held if scheduled and not declined.
//
// Outcomes are counted per enterprise–university pair at the furthest stage
// anyone reported for it — participants' outcome responses to the pair's
// meetings and the dataset's history records of the fair. Pairs that held a
// meeting but reported nothing are Unreported. In a year report, a pair
// that met at several fairs counts once, at its furthest stage over the
// year, so the fairs' outcome counts may add up to more than the year's.
//
// # Caveats
//
// Attendees are put on a side by their organisation (Person.Org, or the
// attendee lists of enterprises and universities); an attendee of neither
// side is ignored when deciding whether a meeting was declined. Responses to
// meeting ids the fair never published are ignored.
package report
