package notify

import (
	"fmt"
	"time"
)

// maxObservances bounds the walk over a zone's transitions; real zones have
// at most a few per year.
const maxObservances = 400

// observance is one period of a time zone: from onset on (until the next
// observance), the zone is offsetTo seconds east of UTC and named name.
type observance struct {
	daylight   bool
	onset      time.Time // the transition instant; zero when the zone never changed
	offsetFrom int       // the offset in force just before onset
	offsetTo   int
	name       string
}

// observances returns the periods of loc that cover [from, to), in order,
// from the Go time zone database: the period in force at from and each one
// that starts before to. A zone without transitions in that range (one
// without daylight saving time, like Asia/Shanghai) has a single observance.
func observances(loc *time.Location, from, to time.Time) ([]observance, error) {
	var obs []observance
	t := from.In(loc)
	for {
		start, end := t.ZoneBounds()
		name, offset := t.Zone()
		o := observance{daylight: t.IsDST(), onset: start, offsetFrom: offset, offsetTo: offset, name: name}
		if !start.IsZero() {
			_, o.offsetFrom = start.Add(-time.Second).In(loc).Zone()
		}
		obs = append(obs, o)
		if end.IsZero() || !end.Before(to) {
			return obs, nil
		}
		if len(obs) == maxObservances {
			return nil, fmt.Errorf("time zone %s: more than %d transitions between %s and %s",
				loc, maxObservances, from.Format(time.DateOnly), to.Format(time.DateOnly))
		}
		t = end.In(loc)
	}
}

// writeVTimezone writes a VTIMEZONE for loc that is exact over [from, to):
// one STANDARD or DAYLIGHT component per observance, its DTSTART the local
// time of the transition as clocks showed it just before (RFC 5545 §3.6.5).
func (w *contentWriter) vtimezone(loc *time.Location, from, to time.Time) error {
	obs, err := observances(loc, from, to)
	if err != nil {
		return err
	}
	w.raw("BEGIN", "VTIMEZONE")
	w.text("TZID", loc.String())
	for _, o := range obs {
		kind := "STANDARD"
		if o.daylight {
			kind = "DAYLIGHT"
		}
		onset := "19700101T000000"
		if !o.onset.IsZero() {
			onset = o.onset.UTC().Add(time.Duration(o.offsetFrom) * time.Second).Format(localDateTime)
		}
		w.raw("BEGIN", kind)
		w.raw("DTSTART", onset)
		w.raw("TZOFFSETFROM", formatOffset(o.offsetFrom))
		w.raw("TZOFFSETTO", formatOffset(o.offsetTo))
		if o.name != "" {
			w.text("TZNAME", o.name)
		}
		w.raw("END", kind)
	}
	w.raw("END", "VTIMEZONE")
	return nil
}

// formatOffset formats seconds east of UTC as a UTC-OFFSET (§3.3.14):
// "+0800", "-0500", or "+053328" when the offset has seconds.
func formatOffset(sec int) string {
	sign := byte('+')
	if sec < 0 {
		sign = '-'
		sec = -sec
	}
	h, m, s := sec/3600, sec/60%60, sec%60
	if s != 0 {
		return fmt.Sprintf("%c%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%c%02d%02d", sign, h, m)
}
