// Package trainfile checks a JSONL training dataset by the rules of contract
// §9 before it is uploaded, and hashes it in the same pass.
//
// It is a pure function of the bytes it reads: no HTTP, no Terraform, the
// standard library only. The provider reports its findings on the attribute
// that names the file; the client uploads the file only when it has none.
package trainfile

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"unicode/utf8"
)

const (
	// MaxProblems is how many problems a Result lists; the rest are only
	// counted, since a file broken on every line says so in the first few.
	MaxProblems = 20
	// MaxWarnings bounds the warnings listed the same way.
	MaxWarnings = 20
	// MaxLineBytes bounds one record. A longer line is a problem, not a
	// reason to hold gigabytes in memory; it is still hashed.
	MaxLineBytes = 64 << 20
)

// Finding is one problem or warning. Line is 1-based and counts blank lines;
// 0 means the file as a whole.
type Finding struct {
	Line   int
	Reason string
}

// String renders "line N: reason", or the reason alone for the whole file.
func (f Finding) String() string {
	if f.Line == 0 {
		return f.Reason
	}
	return fmt.Sprintf("line %d: %s", f.Line, f.Reason)
}

// Result is what one pass over a dataset found.
type Result struct {
	// SHA256 is the hex digest of every byte read; Bytes their count.
	SHA256 string
	Bytes  int64
	// Lines is the number of lines, blank ones included; Records the number
	// of non-blank lines.
	Lines, Records int
	// Problems make the file unfit for upload: at most MaxProblems, in line
	// order, with MoreProblems counting those left out.
	Problems     []Finding
	MoreProblems int
	// Warnings are worth telling but do not stop an upload: at most
	// MaxWarnings, with MoreWarnings counting those left out.
	Warnings     []Finding
	MoreWarnings int
}

// OK reports whether the file has no problems.
func (r *Result) OK() bool { return len(r.Problems) == 0 }

func (r *Result) problem(line int, format string, args ...any) {
	if len(r.Problems) >= MaxProblems {
		r.MoreProblems++
		return
	}
	r.Problems = append(r.Problems, Finding{Line: line, Reason: fmt.Sprintf(format, args...)})
}

func (r *Result) warn(line int, format string, args ...any) {
	if len(r.Warnings) >= MaxWarnings {
		r.MoreWarnings++
		return
	}
	r.Warnings = append(r.Warnings, Finding{Line: line, Reason: fmt.Sprintf(format, args...)})
}

// CheckFile checks the dataset at path; see Check.
func CheckFile(path string) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Check(f)
}

// Check reads r to its end once, checking every line by §9 while hashing
// every byte. Memory stays bounded by the longest line (at most
// MaxLineBytes), whatever the size of the file. The error is only ever a
// failure to read; what is wrong with the content is in the Result.
func Check(r io.Reader) (*Result, error) { return check(r, true) }

// check is Check with the fast path (see fastRecord) on or off; off, every
// record is decoded, which is what the fast path must agree with.
func check(r io.Reader, fast bool) (*Result, error) {
	h := sha256.New()
	counter := &countingHash{h: h}
	br := bufio.NewReaderSize(io.TeeReader(r, counter), 256<<10)
	res := &Result{}
	var line []byte
	for {
		var tooLong bool
		var err error
		line, tooLong, err = readLine(br, line[:0])
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if len(line) == 0 && errors.Is(err, io.EOF) && !tooLong {
			break // the end; a final newline leaves no extra line
		}
		res.Lines++
		checkLine(res, res.Lines, line, tooLong, fast)
		if errors.Is(err, io.EOF) {
			break
		}
	}
	if res.Records == 0 && res.OK() {
		res.problem(0, "the file has no records: a JSONL dataset needs at least one line with a JSON object")
	}
	res.SHA256, res.Bytes = hex.EncodeToString(h.Sum(nil)), counter.n
	return res, nil
}

type countingHash struct {
	h hash.Hash
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.h.Write(p)
}

// readLine appends the next line, without its line ending, to buf. A line
// longer than MaxLineBytes is read to its end but not kept: tooLong is set
// and buf holds only its start.
func readLine(br *bufio.Reader, buf []byte) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > MaxLineBytes {
				tooLong = true
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		buf = bytes.TrimSuffix(buf, []byte("\n"))
		buf = bytes.TrimSuffix(buf, []byte("\r"))
		return buf, tooLong, err
	}
}

var utf8BOM = []byte("\xef\xbb\xbf")

func checkLine(res *Result, n int, line []byte, tooLong, fast bool) {
	if tooLong {
		res.Records++
		res.problem(n, "longer than %d MiB; one record must be smaller", MaxLineBytes>>20)
		return
	}
	if !utf8.Valid(line) {
		res.Records++
		res.problem(n, "not valid UTF-8 (the dataset must be UTF-8 text)")
		return
	}
	if len(bytes.TrimSpace(line)) == 0 {
		return // blank lines are skipped
	}
	res.Records++
	if n == 1 && bytes.HasPrefix(line, utf8BOM) {
		res.problem(n, "starts with a UTF-8 byte-order mark; save the file as UTF-8 without BOM")
		return
	}
	record := bytes.TrimSpace(line)
	if fast {
		if facts, ok := fastRecord(record); ok {
			facts.warn(res, n)
			return
		}
	}
	checkRecord(res, n, record)
}
