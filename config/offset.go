package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Offset is a signed duration written with day, hour and minute units:
// "-45d", "-1d12h", "30m", "90d", "0". Negative offsets are before the fair.
type Offset time.Duration

// D returns the offset as a time.Duration.
func (o Offset) D() time.Duration { return time.Duration(o) }

// String writes the offset in the same units it is read in.
func (o Offset) String() string {
	d := time.Duration(o)
	if d == 0 {
		return "0"
	}
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.unit
		}
	}
	return b.String()
}

// ParseOffset reads an offset such as "-45d", "-1d12h", "20m" or "0".
func ParseOffset(s string) (Offset, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	neg := false
	rest := s
	if strings.HasPrefix(rest, "-") || strings.HasPrefix(rest, "+") {
		neg = rest[0] == '-'
		rest = rest[1:]
	}
	if rest == "" {
		return 0, fmt.Errorf("%q is not a duration (use e.g. -14d, 2h, 20m)", s)
	}
	var total time.Duration
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, fmt.Errorf("%q is not a duration (use e.g. -14d, 2h, 20m)", s)
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n > 100000 {
			return 0, fmt.Errorf("%q is out of range", s)
		}
		var unit time.Duration
		switch rest[i] {
		case 'd':
			unit = 24 * time.Hour
		case 'h':
			unit = time.Hour
		case 'm':
			unit = time.Minute
		case 's':
			unit = time.Second
		default:
			return 0, fmt.Errorf("%q has unknown unit %q (use d, h, m or s)", s, rest[i])
		}
		total += time.Duration(n) * unit
		rest = rest[i+1:]
	}
	if neg {
		total = -total
	}
	return Offset(total), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (o *Offset) UnmarshalText(b []byte) error {
	v, err := ParseOffset(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (o Offset) MarshalText() ([]byte, error) { return []byte(o.String()), nil }
