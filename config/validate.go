package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/fairmatch/fairmatch"
)

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

func (c *Config) validate(p *parser) {
	if c.Timezone == "" {
		c.Timezone = DefaultTimezone
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		p.add("timezone", "unknown time zone %q", c.Timezone)
	} else {
		c.loc = loc
	}

	if strings.TrimSpace(c.Fairs.Cron) == "" {
		p.add("fairs.cron", "missing: a cron spec gives the fairs, e.g. \"0 9 15 */2 *\"")
	} else if strings.HasPrefix(strings.TrimSpace(c.Fairs.Cron), "@every") {
		p.add("fairs.cron", "@every is not a calendar schedule; use a 5-field spec such as \"0 9 15 */2 *\"")
	} else if strings.Contains(c.Fairs.Cron, "TZ=") {
		p.add("fairs.cron", "set the zone with the timezone key, not inside the cron spec")
	} else if s, err := cronParser.Parse(c.Fairs.Cron); err != nil {
		p.add("fairs.cron", "invalid cron spec %q: %v", c.Fairs.Cron, err)
	} else {
		c.schedule = s
	}
	for i, th := range c.Fairs.Themes {
		if strings.TrimSpace(th) == "" {
			p.add(fmt.Sprintf("fairs.themes[%d]", i), "empty theme")
		}
	}

	// Stages must come in the order of a fair's life.
	st := c.Stages
	order := []struct {
		key string
		off Offset
	}{{"stages.call_opens", st.CallOpens}, {"stages.call_closes", st.CallCloses},
		{"stages.match", st.Match}, {"stages.agenda", st.Agenda}, {"stages.publish", st.Publish}}
	for i := 1; i < len(order); i++ {
		if order[i].off < order[i-1].off {
			p.add(order[i].key, "%s comes before %s (%s); stages must be in the order call_opens ≤ call_closes ≤ match ≤ agenda ≤ publish",
				order[i].off, strings.TrimPrefix(order[i-1].key, "stages."), order[i-1].off)
		}
	}
	if st.Publish >= 0 {
		p.add("stages.publish", "publish must come before the fair (a negative offset such as -7d), got %s", st.Publish)
	}
	for i, r := range st.Reminders {
		key := fmt.Sprintf("stages.reminders[%d]", i)
		if r >= 0 {
			p.add(key, "a reminder must come before the fair (negative offset), got %s", r)
		} else if r < st.Publish {
			p.add(key, "reminder %s comes before publish (%s)", r, st.Publish)
		}
		if i > 0 && r <= st.Reminders[i-1] {
			p.add(key, "reminders must be in increasing order")
		}
	}
	for i, f := range st.FollowUps {
		key := fmt.Sprintf("stages.follow_ups[%d]", i)
		if f <= 0 {
			p.add(key, "a follow-up must come after the fair (positive offset), got %s", f)
		}
		if i > 0 && f <= st.FollowUps[i-1] {
			p.add(key, "follow-ups must be in increasing order")
		}
	}

	d := c.Day
	checkDay(d.Sessions, fairmatch.Duration(d.Slot), fairmatch.Duration(d.Buffer), func(key, format string, args ...any) {
		p.add("day."+key, format, args...)
	})
	if d.Tables < 1 {
		p.add("day.tables", "the fair needs at least one table, got %d", d.Tables)
	} else if d.Tables > 10000 {
		p.add("day.tables", "%d tables is more than any venue holds (max 10000)", d.Tables)
	}
	if len(d.TableNames) > 0 && len(d.TableNames) != d.Tables {
		p.add("day.table_names", "%d names for %d tables", len(d.TableNames), d.Tables)
	}
	seen := map[string]bool{}
	for i, n := range d.TableNames {
		if strings.TrimSpace(n) == "" || seen[n] {
			p.add(fmt.Sprintf("day.table_names[%d]", i), "table names must be non-empty and distinct")
		}
		seen[n] = true
	}
	if d.Seats < 0 {
		p.add("day.seats", "seats must not be negative (0: any number), got %d", d.Seats)
	}
	if len(d.Rooms) > 0 {
		for _, n := range c.numberedTables() {
			seen[n] = true
		}
	}
	for i, r := range d.Rooms {
		key := fmt.Sprintf("day.rooms[%d]", i)
		switch {
		case strings.TrimSpace(r.Name) == "":
			p.add(key+".name", "missing: a room needs a name")
		case seen[r.Name]:
			p.add(key+".name", "room %q has the name of another table or room", r.Name)
		}
		seen[r.Name] = true
		if r.Seats < 1 {
			p.add(key+".seats", "a room needs its seats, at least 1, got %d", r.Seats)
		}
	}

	if mc := c.Mail; mc.Host != "" {
		if mc.From == "" {
			p.add("mail.from", "missing: the sender address of the mail, e.g. fair@zone.example.cn")
		}
		switch mc.TLS {
		case "", "starttls", "opportunistic", "tls", "none":
		default:
			p.add("mail.tls", "must be starttls, opportunistic, tls or none, got %q", mc.TLS)
		}
		if mc.Port < 0 || mc.Port > 65535 {
			p.add("mail.port", "not a port: %d", mc.Port)
		}
	}
	checkLimits(c.Matching, func(key, format string, args ...any) { p.add("matching."+key, format, args...) })
}

// ClockMinutes reads "HH:MM" (00:00–24:00) as minutes after midnight.
func ClockMinutes(s string) (int, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q is not a time of day (HH:MM)", s)
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not a time of day (HH:MM)", s)
	}
	return h*60 + m, nil
}

// File is the path the plan was read from.
func (c *Config) File() string { return c.file }

// Location is the plan's time zone.
func (c *Config) Location() *time.Location { return c.loc }

// FairDay returns the fair day with table names filled in: the numbered
// tables, then the rooms. Seats lists every table of limited seats (the
// numbered ones with day.seats, the rooms with theirs); nil when none is.
func (c *Config) FairDay() fairmatch.Day {
	d := fairmatch.Day{
		Sessions: append([]fairmatch.Session(nil), c.Day.Sessions...),
		Slot:     fairmatch.Duration(c.Day.Slot),
		Buffer:   fairmatch.Duration(c.Day.Buffer),
		Tables:   c.numberedTables(),
	}
	seat := func(name string, n int) {
		if n > 0 {
			if d.Seats == nil {
				d.Seats = map[string]int{}
			}
			d.Seats[name] = n
		}
	}
	for _, name := range d.Tables {
		seat(name, c.Day.Seats)
	}
	for _, r := range c.Day.Rooms {
		d.Tables = append(d.Tables, r.Name)
		seat(r.Name, r.Seats)
	}
	return d
}

// numberedTables returns the names of the day's numbered tables:
// table_names, or the prefix and a number.
func (c *Config) numberedTables() []string {
	if len(c.Day.TableNames) > 0 {
		return append([]string(nil), c.Day.TableNames...)
	}
	prefix := c.Day.TablePrefix
	if prefix == "" {
		prefix = "T"
	}
	width := max(len(fmt.Sprint(c.Day.Tables)), 2)
	var names []string
	for i := 1; i <= c.Day.Tables; i++ {
		names = append(names, fmt.Sprintf("%s%0*d", prefix, width, i))
	}
	return names
}

// CheckDay checks a fair's day as an organizer edits it (sessions in order
// and disjoint, whole-minute slot and buffer, distinct table names, seats
// only of the day's tables and positive) and returns every issue, with
// Record "day" and Field the key ("sessions[1].to", "seats.R1").
func CheckDay(d fairmatch.Day) []fairmatch.Issue {
	var is []fairmatch.Issue
	add := func(key, format string, args ...any) {
		is = append(is, fairmatch.Issue{Record: "day", Field: key, Reason: fmt.Sprintf(format, args...)})
	}
	checkDay(d.Sessions, d.Slot, d.Buffer, add)
	if len(d.Tables) == 0 {
		add("tables", "the fair needs at least one table")
	} else if len(d.Tables) > 10000 {
		add("tables", "%d tables is more than any venue holds (max 10000)", len(d.Tables))
	}
	seen := map[string]bool{}
	for i, n := range d.Tables {
		if strings.TrimSpace(n) == "" || seen[n] {
			add(fmt.Sprintf("tables[%d]", i), "table names must be non-empty and distinct")
		}
		seen[n] = true
	}
	names := make([]string, 0, len(d.Seats))
	for n := range d.Seats {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		switch {
		case !seen[n]:
			add("seats."+n, "no table %q", n)
		case d.Seats[n] < 1:
			add("seats."+n, "seats must be at least 1 (leave a table out to seat any number), got %d", d.Seats[n])
		}
	}
	return is
}

// CheckLimits checks a fair's matching limits and returns every issue, with
// Record "limits" and Field the key ("min_relevance").
func CheckLimits(l fairmatch.Limits) []fairmatch.Issue {
	var is []fairmatch.Issue
	checkLimits(l, func(key, format string, args ...any) {
		is = append(is, fairmatch.Issue{Record: "limits", Field: key, Reason: fmt.Sprintf(format, args...)})
	})
	return is
}

// checkDay checks the sessions, slot and buffer of a day; add records an
// issue under a key relative to the day.
func checkDay(sessions []fairmatch.Session, slot, buffer fairmatch.Duration, add func(key, format string, args ...any)) {
	if len(sessions) == 0 {
		add("sessions", "missing: the fair day needs at least one session")
	}
	names := map[string]bool{}
	prevEnd := -1
	for i, s := range sessions {
		key := fmt.Sprintf("sessions[%d]", i)
		if s.Name == "" {
			add(key, "session has no name")
		} else if names[s.Name] {
			add(key, "duplicate session name %q", s.Name)
		}
		names[s.Name] = true
		from, err1 := ClockMinutes(s.From)
		to, err2 := ClockMinutes(s.To)
		if err1 != nil {
			add(key+".from", "%v", err1)
		}
		if err2 != nil {
			add(key+".to", "%v", err2)
		}
		if err1 != nil || err2 != nil {
			continue
		}
		if from >= to {
			add(key, "session %q ends (%s) before it starts (%s)", s.Name, s.To, s.From)
			continue
		}
		if from < prevEnd {
			add(key, "session %q starts before the previous session ends; sessions must be in order and disjoint", s.Name)
		}
		prevEnd = to
		if slot > 0 && time.Duration(to-from)*time.Minute < slot.D() {
			add(key, "session %q is shorter than one slot (%s)", s.Name, slot)
		}
	}
	if slot <= 0 {
		add("slot", "slot length must be positive, e.g. 20m")
	} else if slot.D()%time.Minute != 0 {
		add("slot", "slot length must be whole minutes")
	}
	if buffer < 0 {
		add("buffer", "buffer must not be negative")
	} else if buffer.D()%time.Minute != 0 {
		add("buffer", "buffer must be whole minutes")
	}
}

// checkLimits checks matching limits; add records an issue under a key
// relative to the limits.
func checkLimits(m fairmatch.Limits, add func(key, format string, args ...any)) {
	for _, f := range []struct {
		key string
		v   int
	}{{"meetings_per_enterprise", m.MeetingsPerEnterprise}, {"meetings_per_university", m.MeetingsPerUniversity},
		{"meetings_per_expert", m.MeetingsPerExpert}, {"universities_per_enterprise", m.UniversitiesPerEnterprise},
		{"items_per_meeting", m.ItemsPerMeeting}} {
		if f.v < 0 {
			add(f.key, "must not be negative (0 means no limit)")
		}
	}
	if m.MinRelevance < 0 || m.MinRelevance > 1 {
		add("min_relevance", "must lie in [0, 1], got %g", m.MinRelevance)
	}
}
