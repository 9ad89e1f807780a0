package synthapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// UploadFileParams describes one training-file upload.
type UploadFileParams struct {
	// Path is the local file; it is streamed from disk on every attempt.
	Path string
	// Filename is the part's filename; default the base name of Path.
	Filename string
	// Purpose is sent unchanged; default DefaultFilePurpose.
	Purpose string
	// SHA256 is the file's hex digest, to recognise the backend's copy
	// after a 409; computed from the file when empty and needed.
	SHA256 string
	// IdempotencyKey is sent as the Idempotency-Key header and reused by
	// every retry; see NewIdempotencyKey. Without one the upload is sent
	// once and never retried.
	IdempotencyKey string
}

// FileTooLargeError is a 413 answer to an upload.
type FileTooLargeError struct {
	Path  string
	Bytes int64
	Err   *APIError
}

func (e *FileTooLargeError) Error() string {
	return fmt.Sprintf("the training file %s is too large for the backend: %d bytes (%.1f MiB) were refused: %v",
		e.Path, e.Bytes, float64(e.Bytes)/(1<<20), e.Err)
}

func (e *FileTooLargeError) Unwrap() error { return e.Err }

// UploadFile uploads a training file (§9): multipart/form-data with the
// bytes as the part "file" (content type application/jsonl) and the text
// field "purpose", streamed from disk so that no file is ever held in
// memory, to POST /files, or once more to /learning/files when that answers
// 404 or 405. Each attempt may take WithUploadTimeout.
//
// A 409 means the backend already holds the same content. The file it
// names (top-level or under "detail", as "id" or "file_id") is adopted;
// else the files of the same purpose are listed and the one with the same
// SHA-256, or the same size and filename, is adopted; else the 409 is the
// error. An adopted file has Adopted set and may carry only its id. A 413
// is a *FileTooLargeError naming the size. A 2xx without an id is an
// error.
func (c *Client) UploadFile(ctx context.Context, p UploadFileParams) (*TrainingFile, error) {
	info, err := os.Stat(p.Path)
	if err != nil {
		return nil, fmt.Errorf("uploading a training file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("uploading a training file: %s is not a regular file", p.Path)
	}
	if p.Filename == "" {
		p.Filename = filepath.Base(p.Path)
	}
	if p.Purpose == "" {
		p.Purpose = DefaultFilePurpose
	}
	boundary := newBoundary()
	var streams attemptStreams

	resp, err := withFileFallback(func(route string) (*response, error) {
		r := request{
			method:      http.MethodPost,
			url:         c.root + route,
			header:      http.Header{"Authorization": {"Bearer " + c.apiKey}},
			stream:      func() io.ReadCloser { return streams.add(multipartStream(p, boundary)) },
			contentType: "multipart/form-data; boundary=" + boundary,
			// Like a job create, an upload may be sent again only with its
			// key, which the backend answers with the file already made.
			retry: retryDecision(p.IdempotencyKey != ""),
		}
		if p.IdempotencyKey != "" {
			r.header.Set("Idempotency-Key", p.IdempotencyKey)
		}
		resp, err := c.uploader.do(ctx, r)
		if err == nil && (resp.statusCode == http.StatusNotFound || resp.statusCode == http.StatusMethodNotAllowed) {
			return expect(resp, nil) // the cue to try the twin route
		}
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	switch {
	case resp.statusCode == http.StatusConflict:
		return c.adoptFile(ctx, p, info.Size(), resp)
	case resp.statusCode == http.StatusRequestEntityTooLarge:
		return nil, &FileTooLargeError{Path: p.Path, Bytes: info.Size(), Err: newAPIError(resp)}
	case !resp.ok():
		return nil, newAPIError(resp)
	}
	file, err := decodeAnswer(resp, DecodeTrainingFile)
	if err != nil {
		return nil, err
	}
	if file.ID == "" {
		return nil, fmt.Errorf(`%s %s (HTTP %d): the upload failed: the answer names no file: it has neither "id" nor "file_id": %s`,
			resp.method, resp.route, resp.statusCode, snippet(resp.body))
	}
	file.SentSHA256 = streams.lastSum()
	return file, nil
}

// attemptStreams are the bodies of one upload's attempts, in order.
type attemptStreams struct {
	mu      sync.Mutex
	streams []*lazyStream
}

func (a *attemptStreams) add(s *lazyStream) io.ReadCloser {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.streams = append(a.streams, s)
	return s
}

// lastSum is the SHA-256 of the file as the last attempt that sent
// anything sent it whole, "" when it did not finish. The answer has come,
// so that attempt's writer has finished or is about to: the server read the
// whole body, or the transport closed it.
func (a *attemptStreams) lastSum() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := len(a.streams) - 1; i >= 0; i-- {
		if s := a.streams[i]; s.started() {
			return s.wait()
		}
	}
	return ""
}

// newBoundary is a multipart boundary fixed for all attempts of one upload,
// since the Content-Type header naming it is set once.
func newBoundary() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "synth-" + hex.EncodeToString(b[:])
}

// multipartStream is the body of one upload attempt. Nothing happens until
// the first Read: then the file is opened and copied into a pipe by a
// goroutine, part by part, as the transport reads. Closing the stream
// (which the transport does when the attempt ends, however it ends) stops
// the goroutine and closes the file.
func multipartStream(p UploadFileParams, boundary string) *lazyStream {
	s := &lazyStream{done: make(chan struct{})}
	s.start = func() *io.PipeReader {
		pr, pw := io.Pipe()
		go func() {
			defer close(s.done)
			sum, err := writeMultipart(pw, p, boundary)
			if err == nil {
				s.sum = sum
			}
			pw.CloseWithError(err)
		}()
		return pr
	}
	return s
}

// writeMultipart writes the upload's body and returns the SHA-256 of the
// file bytes it sent.
func writeMultipart(w io.Writer, p UploadFileParams, boundary string) (string, error) {
	f, err := os.Open(p.Path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(boundary); err != nil {
		return "", err
	}
	if err := mw.WriteField("purpose", p.Purpose); err != nil {
		return "", err
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, escapeQuotes(p.Filename)))
	h.Set("Content-Type", "application/jsonl")
	part, err := mw.CreatePart(h)
	if err != nil {
		return "", err
	}
	digest := sha256.New()
	if _, err := io.Copy(part, io.TeeReader(f, digest)); err != nil {
		return "", err
	}
	if err := mw.Close(); err != nil {
		return "", err
	}
	return hex.EncodeToString(digest.Sum(nil)), nil
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")

func escapeQuotes(s string) string { return quoteEscaper.Replace(s) }

// lazyStream starts its pipe on the first Read.
type lazyStream struct {
	start func() *io.PipeReader
	pr    *io.PipeReader
	// done closes when the writer has finished; sum is then the digest of
	// a body written whole, "" otherwise.
	done chan struct{}
	sum  string
	once atomic.Bool
}

func (s *lazyStream) started() bool { return s.once.Load() }

// wait gives the writer a moment to finish: a backend that answers before
// reading the whole body (a replay by key) leaves it to the transport to
// close the pipe, and then the body was not sent whole anyway.
func (s *lazyStream) wait() string {
	t := time.NewTimer(streamSettle)
	defer t.Stop()
	select {
	case <-s.done:
		return s.sum
	case <-t.C:
		return ""
	}
}

// streamSettle bounds lazyStream.wait.
const streamSettle = 5 * time.Second

func (s *lazyStream) Read(b []byte) (int, error) {
	if s.pr == nil {
		s.once.Store(true)
		s.pr = s.start()
	}
	return s.pr.Read(b)
}

func (s *lazyStream) Close() error {
	if s.pr == nil {
		return nil
	}
	return s.pr.Close()
}

// adoptFile finds the file a 409 says the backend already holds.
func (c *Client) adoptFile(ctx context.Context, p UploadFileParams, size int64, conflict *response) (*TrainingFile, error) {
	if id := conflictFileID(conflict.body); id != "" {
		return &TrainingFile{ID: id, Filename: p.Filename, Purpose: p.Purpose, Bytes: size, SHA256: strings.ToLower(p.SHA256), Adopted: true}, nil
	}
	sum := strings.ToLower(p.SHA256)
	if sum == "" {
		var err error
		if sum, err = fileSHA256(p.Path); err != nil {
			return nil, fmt.Errorf("%w (and hashing the file to find the backend's copy: %w)", newAPIError(conflict), err)
		}
	}
	var found *TrainingFile
	err := c.EachFile(ctx, ListFilesParams{Purpose: p.Purpose, Limit: 100}, func(f TrainingFile) bool {
		if (f.SHA256 != "" && f.SHA256 == sum) || (f.SHA256 == "" && f.Bytes == size && f.Filename == p.Filename) {
			found = &f
			return false
		}
		return true
	})
	if found != nil {
		found.Adopted = true
		return found, nil
	}
	apiErr := newAPIError(conflict)
	apiErr.Message += " (no file with the same content was found among the backend's files"
	if err != nil {
		apiErr.Message += ": listing them failed: " + err.Error()
	}
	apiErr.Message += "): " + snippet(conflict.body)
	return nil, apiErr
}

// conflictFileID reads the id a 409 may carry, at the top level or under
// "detail".
func conflictFileID(body []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return ""
	}
	if id := firstString(top, "id", "file_id"); id != "" {
		return id
	}
	var detail map[string]json.RawMessage
	if json.Unmarshal(top["detail"], &detail) == nil {
		return firstString(detail, "id", "file_id")
	}
	return ""
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// FileWaitOptions tunes WaitFileReady. The zero value is §9's.
type FileWaitOptions struct {
	// Clock is the time source; nil means SystemClock.
	Clock Clock
	// Interval is the pause between reads; zero means 2 s.
	Interval time.Duration
	// Timeout bounds the wait; zero means 120 s.
	Timeout time.Duration
	// OnUnknownStatus is called for each read whose status is no word §9
	// knows (the wait goes on).
	OnUnknownStatus func(ctx context.Context, f *TrainingFile)
	// OnTransientError is called for each failed read that does not end
	// the wait; a 404 ("not visible yet") is one.
	OnTransientError func(ctx context.Context, err error)
}

const (
	defaultFileReadyInterval = 2 * time.Second
	defaultFileReadyTimeout  = 120 * time.Second
)

// WaitFileReady reads a file until its status says ready (§9). A 404 means
// "not visible yet" and other failures are passing too, except 401 and
// 403, which end the wait with the error. When Timeout runs out first,
// ready is false and err nil: the caller goes on with a warning (the
// backend checks the file when a job is created); file is then the last
// one read, or nil.
func (c *Client) WaitFileReady(ctx context.Context, id string, opts FileWaitOptions) (file *TrainingFile, ready bool, err error) {
	clock := clockOr(opts.Clock)
	interval := cmp0(opts.Interval, defaultFileReadyInterval)
	deadline := clock.Now().Add(cmp0(opts.Timeout, defaultFileReadyTimeout))
	for {
		f, err := c.GetFile(ctx, id)
		var apiErr *APIError
		switch {
		case err == nil:
			file = f
			switch f.Readiness() {
			case FileReady:
				return f, true, nil
			case FileUnknown:
				if opts.OnUnknownStatus != nil {
					opts.OnUnknownStatus(ctx, f)
				}
			}
		case ctx.Err() != nil:
			return file, false, fmt.Errorf("waiting for training file %s: %w", id, ctx.Err())
		case errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusUnauthorized || apiErr.StatusCode == http.StatusForbidden):
			return file, false, err
		default:
			if opts.OnTransientError != nil {
				opts.OnTransientError(ctx, err)
			}
		}
		if clock.Now().Add(interval).After(deadline) {
			return file, false, nil
		}
		select {
		case <-ctx.Done():
			return file, false, fmt.Errorf("waiting for training file %s: %w", id, ctx.Err())
		case <-clock.After(interval):
		}
	}
}
