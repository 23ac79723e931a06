package config

import (
	"fmt"
	"time"

	"github.com/fairmatch/fairmatch"
)

// Plan returns the fairs of a year in order, each with its stages in the order
// they fire. A fair's id is its local date's "YYYY-MM"; two fairs in one
// month are an error, as is a year with no fair.
func (c *Config) Plan(year int) ([]fairmatch.Fair, error) {
	if year < 1970 || year > 9999 {
		return nil, fairmatch.Errorf(fairmatch.EINVALID, "year %d is out of range", year)
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, c.loc).Add(-time.Second)
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, c.loc)
	var fairs []fairmatch.Fair
	seen := map[string]bool{}
	for t := c.schedule.Next(from); !t.IsZero() && t.Before(end); t = c.schedule.Next(t) {
		id := t.Format("2006-01")
		if seen[id] {
			return nil, fairmatch.Errorf(fairmatch.EINVALID,
				"config %s: fairs.cron %q gives two fairs in %s; a fair's id is its month, so at most one fair a month", c.file, c.Fairs.Cron, id)
		}
		seen[id] = true
		fairs = append(fairs, c.fair(id, t, len(fairs)))
		if len(fairs) > 12 {
			break
		}
	}
	if len(fairs) == 0 {
		return nil, fairmatch.Errorf(fairmatch.EINVALID, "config %s: fairs.cron %q gives no fair in %d", c.file, c.Fairs.Cron, year)
	}
	return fairs, nil
}

// FairByID returns the fair with the given id ("2027-03") from its year's plan.
func (c *Config) FairByID(id string) (fairmatch.Fair, error) {
	t, err := time.ParseInLocation("2006-01", id, c.loc)
	if err != nil {
		return fairmatch.Fair{}, fairmatch.Errorf(fairmatch.EINVALID, "fair id %q is not of the form YYYY-MM", id)
	}
	fairs, err := c.Plan(t.Year())
	if err != nil {
		return fairmatch.Fair{}, err
	}
	for _, f := range fairs {
		if f.ID == id {
			return f, nil
		}
	}
	return fairmatch.Fair{}, fairmatch.Errorf(fairmatch.ENOTFOUND, "no fair %s in the year plan %s (cron %q)", id, c.file, c.Fairs.Cron)
}

func (c *Config) fair(id string, start time.Time, index int) fairmatch.Fair {
	f := fairmatch.Fair{ID: id, Timezone: c.loc.String(), Start: start, End: start}
	if n := len(c.Fairs.Themes); n > 0 {
		f.Theme = c.Fairs.Themes[index%n]
	}
	if k := len(c.Day.Sessions); k > 0 {
		to, _ := ClockMinutes(c.Day.Sessions[k-1].To)
		y, m, d := start.Date()
		if e := time.Date(y, m, d, to/60, to%60, 0, 0, c.loc); e.After(start) {
			f.End = e
		}
	}
	st := c.Stages
	add := func(name, kind string, off Offset) {
		f.Stages = append(f.Stages, fairmatch.Stage{Fair: id, Name: name, Kind: kind,
			Due: start.Add(off.D()), State: fairmatch.StatePending})
	}
	add(fairmatch.StageCallOpens, fairmatch.StageCallOpens, st.CallOpens)
	add(fairmatch.StageCallCloses, fairmatch.StageCallCloses, st.CallCloses)
	add(fairmatch.StageMatch, fairmatch.StageMatch, st.Match)
	add(fairmatch.StageAgenda, fairmatch.StageAgenda, st.Agenda)
	add(fairmatch.StagePublish, fairmatch.StagePublish, st.Publish)
	for i, r := range st.Reminders {
		add(fmt.Sprintf("%s-%d", fairmatch.StageReminder, i+1), fairmatch.StageReminder, r)
	}
	for i, r := range st.FollowUps {
		add(fmt.Sprintf("%s-%d", fairmatch.StageFollowUp, i+1), fairmatch.StageFollowUp, r)
	}
	return f
}
