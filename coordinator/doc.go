// Package coordinator runs a fair's stages: it turns a fired stage into a job
// on the bus, lets workers compute it, and applies each result to the store.
//
// # Basics
//
// The coordinator is the one process that writes the store. Fire builds a
// stage's job from what is stored (the dataset for match, the proposals for
// agenda) so that workers need no database: they can run on other machines
// against a NATS cluster. Apply writes a result once: a result whose job id
// was already applied, or that belongs to an earlier attempt, is dropped, so
// a redelivered job never duplicates meetings.
//
// Handlers returns the worker side: the functions that compute each kind of
// job from its payload alone (matcher.Match for match, agenda.BuildFair for
// agenda). Stages with nothing to compute (calls, publish, reminders,
// follow-ups) go through the bus all the same, and take effect when their
// result is applied: publish makes the draft agenda the published one and
// renders every participant's calendar and page.
package coordinator
