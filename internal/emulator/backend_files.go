package emulator

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"time"
)

// Training files (§9). An upload is hashed while it is copied to a file on
// disk, part by part as it arrives, so a gigabyte dataset costs the emulator
// a buffer, not a gigabyte: the benchmark measures a client's upload
// against it.

// File is a training file as tests see it.
type File struct {
	ID, Filename, Purpose, SHA256 string
	Bytes                         int64
	IdempotencyKey                string
	CreatedAt                     time.Time
	// Path is where the emulator keeps the content.
	Path    string
	Deleted bool
}

type storedFile struct {
	File
}

// readiness is the file's status at now, and whether it can be seen yet.
func (f *storedFile) readiness(now time.Time, o SFTOptions) (status string, visible bool) {
	if now.Before(f.CreatedAt.Add(o.FileVisibleLag)) {
		return "", false
	}
	if now.Before(f.CreatedAt.Add(o.FileReadyLag)) {
		return "processing", true
	}
	return "ready", true
}

func (f *storedFile) render(now time.Time, o SFTOptions, d Dialect) map[string]any {
	status, _ := f.readiness(now, o)
	return map[string]any{
		"id":         f.ID,
		"object":     "file",
		"filename":   f.Filename,
		"purpose":    f.Purpose,
		"bytes":      f.Bytes,
		"sha256":     f.SHA256,
		"created_at": d.timeValue(f.CreatedAt),
		"status":     status,
	}
}

func newFileID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "file_" + hex.EncodeToString(b[:])
}

// fileDir is where uploads go, made on first use; Close removes it.
func (e *Emulator) fileDir() (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.filesDir == "" {
		dir, err := os.MkdirTemp("", "synth-emulator-files-")
		if err != nil {
			return "", err
		}
		e.filesDir = dir
	}
	return e.filesDir, nil
}

// Close removes the uploaded files from disk. The emulator keeps serving;
// only the content of files uploaded before is gone.
func (e *Emulator) Close() error {
	e.mu.Lock()
	dir := e.filesDir
	e.filesDir = ""
	e.mu.Unlock()
	if dir == "" {
		return nil
	}
	return os.RemoveAll(dir)
}

// maxPurposeBytes bounds the text field; purposes are words.
const maxPurposeBytes = 1 << 10

func (e *Emulator) uploadFile(w http.ResponseWriter, r *http.Request) {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" {
		writeDetail(w, http.StatusUnprocessableEntity, "the upload must be multipart/form-data with a file part named \"file\"")
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if key != "" {
		e.mu.Lock()
		f, ok := e.filesByKey[key]
		e.mu.Unlock()
		if ok {
			_, _ = io.Copy(io.Discard, r.Body) // the repeat's bytes are the same file's
			writeJSON(w, http.StatusOK, f.render(e.now(), e.opts.SFT, e.opts.Dialect))
			return
		}
	}
	dir, err := e.fileDir()
	if err != nil {
		writeDetail(w, http.StatusInternalServerError, "cannot store files: "+err.Error())
		return
	}

	mr, err := r.MultipartReader()
	if err != nil {
		writeDetail(w, http.StatusUnprocessableEntity, "unreadable multipart body: "+err.Error())
		return
	}
	purpose := "fine-tune"
	var stored *storedFile
	defer func() {
		if stored != nil && stored.Path != "" && stored.ID == "" {
			os.Remove(stored.Path) // never kept: a failed or duplicate upload
		}
	}()
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			writeDetail(w, http.StatusBadRequest, "unreadable multipart body: "+err.Error())
			return
		}
		switch part.FormName() {
		case "purpose":
			b, _ := io.ReadAll(io.LimitReader(part, maxPurposeBytes))
			purpose = strings.TrimSpace(string(b))
		case "file":
			if stored != nil {
				writeDetail(w, http.StatusUnprocessableEntity, "more than one file part")
				return
			}
			stored, err = receive(dir, part, part.FileName())
			if err != nil {
				writeDetail(w, http.StatusBadRequest, "reading the file part: "+err.Error())
				return
			}
		}
	}
	if stored == nil {
		writeDetail(w, http.StatusUnprocessableEntity, `a file part named "file" is required`)
		return
	}
	stored.Purpose = purpose
	stored.IdempotencyKey = key
	now, o, d := e.now(), e.opts.SFT, e.opts.Dialect

	e.mu.Lock()
	for _, f := range e.files {
		if !f.Deleted && f.SHA256 == stored.SHA256 && f.Purpose == purpose {
			e.mu.Unlock()
			if o.ConflictOmitsID {
				writeDetail(w, http.StatusConflict, "A file with identical content already exists")
			} else {
				writeDetail(w, http.StatusConflict, map[string]any{"message": "A file with identical content already exists", "id": f.ID})
			}
			return
		}
	}
	stored.ID, stored.CreatedAt = newFileID(), now
	e.files = append(e.files, stored)
	e.filesByID[stored.ID] = stored
	if key != "" {
		e.filesByKey[key] = stored
	}
	answer := stored.render(now, o, d)
	e.mu.Unlock()
	writeJSON(w, http.StatusCreated, answer)
}

// receive copies one file part to disk, hashing and counting on the way.
func receive(dir string, part io.Reader, filename string) (*storedFile, error) {
	out, err := os.CreateTemp(dir, "upload-*.jsonl")
	if err != nil {
		return nil, err
	}
	f := &storedFile{File: File{Filename: filename, Path: out.Name()}}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), part)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
		return nil, err
	}
	f.Bytes, f.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	return f, nil
}

// visibleFile finds a file a GET may see. The caller holds e.mu.
func (e *Emulator) visibleFile(id string, now time.Time) (*storedFile, bool) {
	f, ok := e.filesByID[id]
	if !ok || f.Deleted {
		return nil, false
	}
	if _, visible := f.readiness(now, e.opts.SFT); !visible {
		return nil, false
	}
	return f, true
}

func (e *Emulator) getFile(w http.ResponseWriter, r *http.Request) {
	now := e.now()
	e.mu.Lock()
	f, ok := e.visibleFile(r.PathValue("id"), now)
	var answer map[string]any
	if ok {
		answer = f.render(now, e.opts.SFT, e.opts.Dialect)
	}
	e.mu.Unlock()
	if !ok {
		writeDetail(w, http.StatusNotFound, "File not found")
		return
	}
	writeJSON(w, http.StatusOK, answer)
}

func (e *Emulator) deleteFile(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	f, ok := e.filesByID[r.PathValue("id")]
	if ok && !f.Deleted {
		f.Deleted = true
		delete(e.filesByKey, f.IdempotencyKey)
	} else {
		ok = false
	}
	e.mu.Unlock()
	if !ok {
		writeDetail(w, http.StatusNotFound, "File not found")
		return
	}
	os.Remove(f.Path)
	writeJSON(w, http.StatusOK, map[string]any{"id": f.ID, "deleted": true})
}

// listFiles pages files in upload order; "after" is the last id seen.
func (e *Emulator) listFiles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := positiveIntParam(q, "limit", 20)
	if err != nil {
		writeDetail(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	purpose, after := q.Get("purpose"), q.Get("after")
	now, o, d := e.now(), e.opts.SFT, e.opts.Dialect

	e.mu.Lock()
	page, hasMore, ok := pageAfter(e.files, func(f *storedFile) string { return f.ID }, after, limit,
		func(f *storedFile) bool {
			_, visible := f.readiness(now, o)
			return !f.Deleted && visible && (purpose == "" || f.Purpose == purpose)
		},
		func(f *storedFile) map[string]any { return f.render(now, o, d) })
	e.mu.Unlock()
	if !ok {
		writeDetail(w, http.StatusUnprocessableEntity, "after must be the id of a file")
		return
	}
	writeList(w, o.FileListShape, "data", page, hasMore)
}

// writeList answers a page in one of the list shapes §§9–10 allow: a bare
// array ("array") or the array under a key, with has_more.
func writeList(w http.ResponseWriter, shape, defaultKey string, page []map[string]any, hasMore bool) {
	switch shape {
	case "array":
		writeJSON(w, http.StatusOK, page)
		return
	case "":
		shape = defaultKey
	}
	writeJSON(w, http.StatusOK, map[string]any{shape: page, "has_more": hasMore})
}

// fileJobs lists the SFT jobs that train on a file.
func (e *Emulator) fileJobs(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	now, d := e.now(), e.opts.Dialect
	e.mu.Lock()
	if f, ok := e.filesByID[id]; !ok || f.Deleted {
		e.mu.Unlock()
		writeDetail(w, http.StatusNotFound, "File not found")
		return
	}
	page := []map[string]any{}
	for _, j := range e.jobs {
		if !j.lost && j.sft != nil && j.sft.trainingFileID == id {
			page = append(page, j.render(j.at(now, d), d))
		}
	}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"data": page, "has_more": false})
}

// Files returns every file uploaded, deleted ones included, in upload order.
func (e *Emulator) Files() []File {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]File, len(e.files))
	for i, f := range e.files {
		out[i] = f.File
	}
	return out
}

// fileExists reports whether id names a file a job may train on. The caller
// holds e.mu.
func (e *Emulator) fileExists(id string) bool {
	f, ok := e.filesByID[id]
	return ok && !f.Deleted
}
