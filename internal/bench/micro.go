package main

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// The Go micro-benchmarks of the packages the provider's hot paths live in,
// run with `go test -bench` and read from its output.

// microPackages are benchmarked together in one go test run.
var microPackages = []string{"./internal/rlconfig", "./internal/synthapi"}

// microTarget is a benchmark the table reports, found by name.
type microTarget struct {
	label   string
	name    string  // the benchmark function, e.g. BenchmarkResolveAndBuildPayload
	pkg     string  // where it is expected
	maxNsOp float64 // 0: no target
	target  string  // maxNsOp for people
}

var microTargets = []microTarget{
	{"payload build (Resolve + BuildPayload + json.Marshal)", "BenchmarkResolveAndBuildPayload", "internal/rlconfig", 1e6, "< 1 ms"},
	{"job decoding (DecodeJob)", "BenchmarkDecodeJob", "internal/synthapi", 0, "—"},
}

// benchLine is one result line of go test -bench.
type benchLine struct {
	name                    string // without the -GOMAXPROCS suffix
	nsOp, bytesOp, allocsOp float64
	hasMem                  bool
}

// runMicro runs the benchmarks; benchtime is passed on when not empty.
func runMicro(ctx context.Context, moduleRoot, benchtime string) (map[string]benchLine, error) {
	args := []string{"test", "-run", "^$", "-bench", ".", "-benchmem"}
	if benchtime != "" {
		args = append(args, "-benchtime="+benchtime)
	}
	args = append(args, microPackages...)
	cmd := exec.CommandContext(ctx, goBinary(), args...)
	cmd.Dir = moduleRoot
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, tail(string(out), 3000))
	}
	return parseBench(string(out)), nil
}

func parseBench(out string) map[string]benchLine {
	found := map[string]benchLine{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		b := benchLine{name: name}
		// After the iteration count come value/unit pairs.
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				b.nsOp = v
			case "B/op":
				b.bytesOp, b.hasMem = v, true
			case "allocs/op":
				b.allocsOp = v
			}
		}
		found[name] = b
	}
	return found
}

func formatNs(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.0f ns/op (%.2f ms)", ns, ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.0f ns/op (%.1f µs)", ns, ns/1e3)
	}
	return fmt.Sprintf("%.0f ns/op", ns)
}

// microTable reports the targets; a benchmark that does not exist is n/a.
func microTable(found map[string]benchLine, benchtime string) *table {
	title := "4. Go micro-benchmarks (`go test -bench . -benchmem`)"
	if benchtime != "" {
		title = fmt.Sprintf("4. Go micro-benchmarks (`go test -bench . -benchmem -benchtime=%s`)", benchtime)
	}
	t := &table{title: title, header: []string{"what", "benchmark", "ns/op", "B/op", "allocs/op", "target", "result"}}
	for _, m := range microTargets {
		b, ok := found[m.name]
		if !ok {
			t.add(m.label, fmt.Sprintf("none (no %s in %s)", m.name, m.pkg), "n/a", "n/a", "n/a", m.target, "—")
			continue
		}
		var v verdict
		if m.maxNsOp > 0 {
			v.check(b.nsOp < m.maxNsOp, "%s ≥ %.0f ns/op (+%.0f ns)", formatNs(b.nsOp), m.maxNsOp, b.nsOp-m.maxNsOp)
		}
		t.addJudged(v, m.label, m.name, formatNs(b.nsOp), fmt.Sprintf("%.0f", b.bytesOp), fmt.Sprintf("%.0f", b.allocsOp), m.target, v.String())
	}
	return t
}
