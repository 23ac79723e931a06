package main

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fairmatch/fairmatch"
	"github.com/fairmatch/fairmatch/bus"
	"github.com/fairmatch/fairmatch/coordinator"
	"github.com/fairmatch/fairmatch/store"
)

// metrics are the Prometheus series of a coordinator process.
type metrics struct {
	published *prometheus.CounterVec
	finished  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	firings   *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		published: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fairmatch_jobs_published_total",
			Help: "Jobs published to the work queue, by kind."}, []string{"kind"}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fairmatch_jobs_finished_total",
			Help: "Job results applied, by kind and outcome (done, failed)."}, []string{"kind", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "fairmatch_job_duration_seconds",
			Help: "Time a worker spent on a job, by kind.", Buckets: prometheus.ExponentialBuckets(0.005, 4, 10)}, []string{"kind"}),
		firings: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fairmatch_stage_firings_total",
			Help: "Stages fired by the scheduler or run by hand, by kind."}, []string{"kind"}),
	}
	if reg != nil {
		reg.MustRegister(m.published, m.finished, m.duration, m.firings)
	}
	return m
}

func (m *metrics) fired(s fairmatch.Stage) { m.firings.WithLabelValues(s.Kind).Inc() }

func (m *metrics) coordinator() coordinator.Metrics {
	return coordinator.Metrics{
		JobPublished: func(kind string) { m.published.WithLabelValues(kind).Inc() },
		JobApplied: func(kind, outcome string, elapsed time.Duration) {
			m.finished.WithLabelValues(kind, outcome).Inc()
			m.duration.WithLabelValues(kind).Observe(elapsed.Seconds())
		},
	}
}

// registerBusStats exports the job bus's counters as
// fairmatch_bus_events_total{event=...}.
func registerBusStats(reg prometheus.Registerer, b *bus.Bus) {
	events := map[string]func(bus.Stats) uint64{
		"job_published":     func(s bus.Stats) uint64 { return s.JobsPublished },
		"job_duplicate":     func(s bus.Stats) uint64 { return s.JobsDuplicate },
		"job_succeeded":     func(s bus.Stats) uint64 { return s.JobsSucceeded },
		"job_failed":        func(s bus.Stats) uint64 { return s.JobsFailed },
		"job_abandoned":     func(s bus.Stats) uint64 { return s.JobsAbandoned },
		"job_malformed":     func(s bus.Stats) uint64 { return s.JobsMalformed },
		"job_exhausted":     func(s bus.Stats) uint64 { return s.JobsExhausted },
		"result_applied":    func(s bus.Stats) uint64 { return s.ResultsApplied },
		"result_retried":    func(s bus.Stats) uint64 { return s.ResultsRetried },
		"payload_offloaded": func(s bus.Stats) uint64 { return s.PayloadsOffloaded },
	}
	for event, get := range events {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "fairmatch_bus_events_total",
			Help:        "Events of the job bus as this process saw them.",
			ConstLabels: prometheus.Labels{"event": event},
		}, func() float64 { return float64(get(b.Stats())) }))
	}
}

// outboxCollector exports the mail outbox's messages by state as
// fairmatch_mail_messages{state=queued|sent|failed}, read from the store at
// each scrape (one read transaction).
type outboxCollector struct {
	db   *store.DB
	desc *prometheus.Desc
}

func newOutboxCollector(db *store.DB) *outboxCollector {
	return &outboxCollector{db: db, desc: prometheus.NewDesc("fairmatch_mail_messages",
		"Messages in the mail outbox, by state (queued includes those waiting to be retried).", []string{"state"}, nil)}
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	var counts map[string]int
	if err := c.db.View(func(tx *store.Tx) (err error) { counts, err = tx.OutboxCounts(); return err }); err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for _, state := range []string{store.OutboxQueued, store.OutboxSent, store.OutboxFailed} {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[state]), state)
	}
}
