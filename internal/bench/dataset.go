package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
)

// writeDataset writes a chat-format JSONL dataset of exactly size bytes to
// path, valid by contract §9 without warnings: every record has a system,
// a user and an assistant message. The same size always gives the same
// bytes, so that runs compare. Some answers carry escapes (\" and \n), as
// real datasets do.
func writeDataset(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(18, uint64(size)))
	var line []byte
	written := int64(0)
	for n := 1; written < size; n++ {
		line = datasetRecord(line[:0], rng, n)
		if rest := size - written; int64(len(line))+minRecordBytes > rest {
			line = lastRecord(line[:0], n, int(rest))
		}
		if _, err := w.Write(line); err != nil {
			f.Close()
			return err
		}
		written += int64(len(line))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if written != size {
		return fmt.Errorf("generating %s: wrote %d bytes, wanted %d", path, written, size)
	}
	return nil
}

// minRecordBytes is more than the shortest lastRecord, so that the last
// record always fits the bytes left.
const minRecordBytes = 256

var datasetWords = []string{"the", "agent", "moves", "north", "collects", "wood", "stone", "crafts", "a", "pickaxe",
	"table", "sapling", "drinks", "water", "eats", "cow", "avoids", "zombie", "at", "night", "places", "plant",
	"iron", "coal", "diamond", "furnace", "sword", "health", "food", "energy", "sleeps", "then", "and", "with"}

const (
	recordHead   = `{"messages":[{"role":"system","content":"You play Crafter. Answer with the next action."},{"role":"user","content":"Step `
	recordAnswer = `"},{"role":"assistant","content":"`
	recordTail   = `"}],"metadata":{"episode":`
)

// datasetRecord appends record n to b.
func datasetRecord(b []byte, rng *rand.Rand, n int) []byte {
	b = append(b, recordHead...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, ": "...)
	b = appendWords(b, rng, 8+rng.IntN(60))
	b = append(b, recordAnswer...)
	b = appendWords(b, rng, 8+rng.IntN(120))
	if n%7 == 0 {
		b = append(b, `\n\"done\"`...)
	}
	b = append(b, recordTail...)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, "}}\n"...)
}

// lastRecord appends record n grown to exactly length bytes, its answer
// padded with dots.
func lastRecord(b []byte, n, length int) []byte {
	start := len(b)
	b = append(b, recordHead...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, ": the end"+recordAnswer+"noop"...)
	tail := len(recordTail) + len(strconv.Itoa(n)) + len("}}\n")
	for len(b)-start+tail < length {
		b = append(b, '.')
	}
	b = append(b, recordTail...)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, "}}\n"...)
}

func appendWords(b []byte, rng *rand.Rand, n int) []byte {
	for i := range n {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, datasetWords[rng.IntN(len(datasetWords))]...)
	}
	return b
}
