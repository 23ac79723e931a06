// Package fairmatch holds the domain of a technology-transfer fair service: the
// dataset organizers import (enterprises, universities, people, problems,
// offerings), the year plan's fairs and their stages, the meetings of a fair's
// agenda, and the coded error type every package returns.
//
// # Layout
//
// The root package has no dependencies beyond the standard library. Each
// technology lives in a package of its own that works with these types:
//
//	config/     the YAML year plan (strict parsing)
//	dataset/    import of the dataset from JSON, CSV folders and XLSX workbooks
//	store/      bbolt persistence, the only package that imports bbolt
//	scheduler/  the year's fairs from a cron spec, the stage state machine, catch-up
//	matcher/    text relevance, scoring and assignment (pure functions)
//	agenda/     placing meetings in time slots and at tables (pure functions)
//	bus/        embedded or external NATS with JetStream: jobs and workers
//	notify/     iCalendar files and printable schedule pages
//	web/        the HTTP API
//	cmd/fairmatch  the command line, wiring everything together
package fairmatch
