// Command testsummary reads `go test -json` on stdin and prints one line:
// the label it is given, then the top-level tests run, passed, skipped and
// failed. The output of every failed test (and of a package that failed
// without a test failing, such as a build error) is printed before it. It
// exits non-zero when anything failed, so a matrix run fails per CLI.
//
//	go test -json ./internal/provider | go run ./scripts/testsummary -label "Terraform 1.15.9"
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
)

// event is the part of test2json's output this command needs.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

func main() {
	label := flag.String("label", "go test", "what the summary line starts with (the CLI and its version)")
	flag.Parse()

	var passed, skipped, failed int
	output := map[string][]string{} // per test, and per package under ""
	packageFailed := false
	failedTests := []string{}
	finished := map[string]bool{}

	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for scanner.Scan() {
		var e event
		if json.Unmarshal(scanner.Bytes(), &e) != nil {
			fmt.Println(scanner.Text()) // not JSON: a build error, say
			continue
		}
		key := e.Package + " " + e.Test
		topLevel := e.Test != "" && !strings.Contains(e.Test, "/")
		if e.Action == "pass" || e.Action == "skip" || e.Action == "fail" {
			finished[key] = true
		}
		switch e.Action {
		case "output":
			output[key] = append(output[key], e.Output)
		case "pass":
			if topLevel {
				passed++
			}
		case "skip":
			if topLevel {
				skipped++
			}
		case "fail":
			switch {
			case e.Test == "":
				packageFailed = true
			case topLevel:
				failed++
				failedTests = append(failedTests, key)
			}
		}
	}
	if err := scanner.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "testsummary: reading go test -json:", err)
		os.Exit(2)
	}

	for _, key := range failedTests {
		// Subtests' output belongs to their parent's story too.
		for k, lines := range output {
			if k == key || strings.HasPrefix(k, key+"/") {
				fmt.Print(strings.Join(lines, ""))
			}
		}
	}
	if packageFailed && failed == 0 {
		// The test binary died (a build error, a panic, os.Exit in a test):
		// what it said is in the package's output and in the tests that
		// never finished.
		for k, lines := range output {
			if strings.HasSuffix(k, " ") || !finished[k] {
				fmt.Print(strings.Join(lines, ""))
			}
		}
	}

	fmt.Printf("%s: %d run, %d passed, %d skipped, %d failed\n", *label, passed+skipped+failed, passed, skipped, failed)
	if failed > 0 || packageFailed {
		os.Exit(1)
	}
}
