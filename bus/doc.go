// Package bus carries fairmatch's jobs over NATS JetStream: the coordinator
// publishes a Job when a fair's stage fires, workers (goroutines in the same
// process or `fairmatch worker` processes on other machines) run it, and the
// Result comes back to the coordinator, the only process that writes the
// database.
//
// # Basics
//
// [StartEmbedded] runs a NATS server with JetStream inside the process, for a
// single-machine installation; a cluster works the same through any
// *nats.Conn. [Open] ensures the streams, consumers and object store exist and
// returns a [Bus]:
//
//	FAIRMATCH_JOBS     work queue, subjects fairmatch.jobs.<kind>, consumer "workers"
//	FAIRMATCH_RESULTS  work queue, subjects fairmatch.results.<kind>, consumer "coordinator"
//	fairmatch-payloads object store for payloads above Options.InlineLimit
//	fairmatch.progress.<key>  core NATS (not persisted) progress events
//
// The coordinator calls [Bus.Publish] and [Bus.Results]; worker processes run
// a [Worker] with one [Handler] per job kind.
//
// # Delivery guarantees
//
// Delivery is at least once, end to end:
//
//   - Publish sets the Nats-Msg-Id header to Job.ID, so a re-publish of the
//     same attempt within [DuplicateWindow] is dropped by the server.
//   - A worker keeps a job alive with "in progress" acknowledgements every
//     AckWait/3 and on each progress report; a job whose worker goes silent
//     for AckWait (crash, lost connection) is redelivered to another worker,
//     up to MaxDeliver times.
//   - A worker publishes the Result (Nats-Msg-Id = Job.ID, so a job run twice
//     yields one result) before it acknowledges the job.
//   - Results acknowledges a result only after apply returned nil; apply must
//     therefore be idempotent by JobID or Key.
//   - A job that exhausts MaxDeliver is reported to Results as a Result with
//     Error and removed from the queue, so the coordinator learns of it.
//
// # Caveats
//
// The consumers' settings (AckWait, MaxDeliver) are shared by every process:
// the last [Open] wins, so give the coordinator and the workers the same
// [Options]. A job exhausted while no Results loop runs stays in the queue
// unreported (the server's advisory is not persisted). A payload stored in
// the object store by a process that crashes before publishing is never
// deleted. Handlers must honour their context: a Worker waits for running
// handlers before Run returns.
package bus
