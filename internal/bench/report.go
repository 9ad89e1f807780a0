package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"
)

// verdict is the outcome of checking one row against its targets.
type verdict struct {
	judged bool
	misses []string
}

// check records one target: ok tells whether it was met, and the message
// (formatted like fmt.Sprintf) says by how much it was missed.
func (v *verdict) check(ok bool, format string, args ...any) {
	v.judged = true
	if !ok {
		v.misses = append(v.misses, fmt.Sprintf(format, args...))
	}
}

func (v verdict) met() bool { return len(v.misses) == 0 }

func (v verdict) String() string {
	switch {
	case !v.judged:
		return "—"
	case v.met():
		return "PASS"
	}
	return "MISS: " + strings.Join(v.misses, "; ")
}

// table is one small Markdown table of the report.
type table struct {
	title  string
	header []string
	rows   [][]string
	notes  []string

	verdicts []verdict // of the rows that have targets
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// addJudged adds a row that was checked against targets.
func (t *table) addJudged(v verdict, cells ...string) {
	t.add(cells...)
	if v.judged {
		t.verdicts = append(t.verdicts, v)
	}
}

func (t *table) write(w io.Writer) {
	fmt.Fprintf(w, "### %s\n\n", t.title)
	fmt.Fprintf(w, "| %s |\n", strings.Join(t.header, " | "))
	seps := make([]string, len(t.header))
	for i := range seps {
		seps[i] = "---"
	}
	fmt.Fprintf(w, "| %s |\n", strings.Join(seps, " | "))
	for _, r := range t.rows {
		cells := make([]string, len(t.header))
		copy(cells, r)
		for i, c := range cells {
			cells[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	fmt.Fprintln(w)
	for _, n := range t.notes {
		fmt.Fprintf(w, "%s\n", n)
	}
	if len(t.notes) > 0 {
		fmt.Fprintln(w)
	}
}

// seconds formats d in seconds with enough precision for the figure at hand.
func seconds(d time.Duration) string {
	s := d.Seconds()
	switch {
	case s == 0:
		return "0 s"
	case math.Abs(s) < 10:
		return fmt.Sprintf("%.2f s", s)
	}
	return fmt.Sprintf("%.1f s", s)
}

// jobLength names a job length the way people say it: 10 s, 2 min, 2 h.
func jobLength(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%d min", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%d s", d/time.Second)
	}
	return seconds(d)
}

func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

// median of ds; zero for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
