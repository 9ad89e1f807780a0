package trainfile

import (
	"bytes"
	"crypto/sha256"
	"io"
	"strings"
	"testing"
)

// benchData is a chat dataset of about 8 MiB, lines of typical length.
var benchData = func() []byte {
	line := `{"messages":[{"role":"system","content":"You play Crafter. Answer with one action."},{"role":"user","content":"` +
		strings.Repeat("You see a tree to the left and water to the right. ", 8) + `"},{"role":"assistant","content":"move_left"}]}` + "\n"
	return bytes.Repeat([]byte(line), (8<<20)/len(line))
}()

// BenchmarkCheck and BenchmarkSHA256 compare the check-and-hash pass with
// hashing alone (the target: within 2x of sha256sum).
func BenchmarkCheck(b *testing.B) {
	b.SetBytes(int64(len(benchData)))
	for b.Loop() {
		if res, err := Check(bytes.NewReader(benchData)); err != nil || !res.OK() {
			b.Fatal(err, res.Problems)
		}
	}
}

func BenchmarkSHA256(b *testing.B) {
	b.SetBytes(int64(len(benchData)))
	for b.Loop() {
		h := sha256.New()
		_, _ = io.Copy(h, bytes.NewReader(benchData))
	}
}
