package synthapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Training files (§9). Files are immutable: new content is a new upload.
// Every route has an older twin under /learning/files that a deployment
// without /files answers instead.

const (
	filesRoute       = "/files"
	legacyFilesRoute = "/learning/files"

	// DefaultFilePurpose is the purpose every SDK era sends by default,
	// for validation sets too.
	DefaultFilePurpose = "fine-tune"
)

// TrainingFile is the decoded file object of §9. Every field is optional.
type TrainingFile struct {
	// ID is "id", else "file_id".
	ID       string
	Filename string
	Purpose  string
	// Bytes is the size the backend reports; 0 when it does not.
	Bytes int64
	// SHA256 is the hex digest the backend reports, lower-cased.
	SHA256 string
	// CreatedAt is RFC 3339 UTC when readable, else as sent.
	CreatedAt string
	// Status is "status", else "state", else "storage_state",
	// lower-cased; "" when none is sent (which means ready).
	Status string
	// Adopted is set by UploadFile when the backend already held the
	// content (409) and this is the file it held.
	Adopted bool
	// SentSHA256 is set by UploadFile: the SHA-256 of the bytes it streamed
	// to make this file, read from disk as they were sent. A caller that
	// checked the file earlier compares it with the hash it checked, to
	// learn without reading the file again that it did not change since.
	// "" for an adopted file.
	SentSHA256 string
	// Raw is the object as received; nil for a file known only by id.
	Raw json.RawMessage
}

// FileReadiness is what a file's status means to a client about to train
// on it.
type FileReadiness int

const (
	// FileReady: "ready", "uploaded", "stored", "complete", or no status.
	FileReady FileReadiness = iota
	// FileWaiting: "processing", "pending", "validating".
	FileWaiting
	// FileUnknown: any other word; keep waiting, and say so.
	FileUnknown
)

// Readiness interprets the file's status per §9.
func (f *TrainingFile) Readiness() FileReadiness {
	switch f.Status {
	case "", "ready", "uploaded", "stored", "complete":
		return FileReady
	case "processing", "pending", "validating":
		return FileWaiting
	}
	return FileUnknown
}

// DecodeTrainingFile decodes one file object.
func DecodeTrainingFile(data []byte) (*TrainingFile, error) {
	f, err := decodeObject(data)
	if err != nil {
		return nil, fmt.Errorf("decoding training file: %w", err)
	}
	return fileFromFields(f, data), nil
}

func fileFromFields(f map[string]json.RawMessage, data []byte) *TrainingFile {
	file := &TrainingFile{
		ID:        firstString(f, "id", "file_id"),
		Filename:  firstString(f, "filename"),
		Purpose:   firstString(f, "purpose"),
		SHA256:    strings.ToLower(firstString(f, "sha256")),
		Status:    strings.ToLower(strings.TrimSpace(firstString(f, "status", "state", "storage_state"))),
		CreatedAt: timeOrAsSent(f["created_at"]),
		Raw:       json.RawMessage(bytes.Clone(bytes.TrimSpace(data))),
	}
	if n, err := strconv.ParseInt(scalarString(f["bytes"]), 10, 64); err == nil {
		file.Bytes = n
	}
	return file
}

// filePath is the route of one file; ids are opaque and path-escaped.
func filePath(route, id, rest string) string { return jobPath(route, id, rest) }

// routeMissing reports whether an answer says "this deployment has no such
// route", the signal to try the /learning twin.
func routeMissing(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusNotFound || apiErr.StatusCode == http.StatusMethodNotAllowed)
}

// withFileFallback calls fn on /files and, when that answers 404 or 405,
// once more on /learning/files. When both fail, a 404 wins over a 405 so
// that IsNotFound tells "no such file" from "no such route"; the other
// route's status is added to the message.
func withFileFallback(fn func(route string) (*response, error)) (*response, error) {
	resp, err := fn(filesRoute)
	if !routeMissing(err) {
		return resp, err
	}
	var primary *APIError
	errors.As(err, &primary)
	resp, err = fn(legacyFilesRoute)
	var legacy *APIError
	if !errors.As(err, &legacy) || isTransientStatus(legacy.StatusCode) || !routeMissing(err) {
		return resp, err
	}
	shown, other := primary, legacy
	if primary.StatusCode != http.StatusNotFound && legacy.StatusCode == http.StatusNotFound {
		shown, other = legacy, primary
	}
	shown.Message += fmt.Sprintf(" (%s %s: HTTP %d too)", other.Method, other.Route, other.StatusCode)
	return nil, shown
}

// GetFile fetches a training file (GET /files/{id}, else
// /learning/files/{id}). IsNotFound is true when neither knows it.
func (c *Client) GetFile(ctx context.Context, id string) (*TrainingFile, error) {
	if id == "" {
		return nil, errors.New("getting a training file: the file id is empty")
	}
	resp, err := withFileFallback(func(route string) (*response, error) {
		return expect(c.call(ctx, http.MethodGet, filePath(route, id, ""), nil, nil, "", mayRetry))
	})
	if err != nil {
		return nil, err
	}
	file, err := decodeAnswer(resp, DecodeTrainingFile)
	if err != nil {
		return nil, err
	}
	if file.ID == "" {
		file.ID = id
	}
	return file, nil
}

// ListFilesParams filters and pages ListFiles.
type ListFilesParams struct {
	// Purpose filters by purpose ("validation" is a filter only).
	Purpose string
	// Limit is the page size; 0 means 20.
	Limit int
	// After is the cursor returned with the previous page.
	After string
}

// ListFiles lists training files (GET /files, else /learning/files). The
// answer may be a bare array or hold it under "files", "data" or "items";
// next follows the paging rules of SFTJobs.ListJobs.
func (c *Client) ListFiles(ctx context.Context, p ListFilesParams) (files []TrainingFile, next string, err error) {
	q := url.Values{"limit": {strconv.Itoa(limitOr20(p.Limit))}}
	setIf(q, "purpose", p.Purpose)
	setIf(q, "after", p.After)
	resp, err := withFileFallback(func(route string) (*response, error) {
		return expect(c.call(ctx, http.MethodGet, route, q, nil, "", mayRetry))
	})
	if err != nil {
		return nil, "", err
	}
	return decodeFilePage(resp)
}

func decodeFilePage(resp *response) ([]TrainingFile, string, error) {
	page, err := decodeList(resp.body, "files", "files", "data", "items")
	if err != nil {
		return nil, "", fmt.Errorf("%s %s (HTTP %d): %w", resp.method, resp.route, resp.statusCode, err)
	}
	files := make([]TrainingFile, 0, len(page.items))
	for i, item := range page.items {
		f, err := decodeObject(item)
		if err != nil {
			return nil, "", fmt.Errorf("%s %s: file %d of the list: %w", resp.method, resp.route, i, err)
		}
		files = append(files, *fileFromFields(f, item))
	}
	last := ""
	if n := len(files); n > 0 {
		last = files[n-1].ID
	}
	return files, page.nextAfter(last), nil
}

// maxListPages bounds a walk through a list, in case a backend ignores the
// cursor and serves the same page forever.
const maxListPages = 1000

// EachFile walks every page of ListFiles, calling fn for each file until
// it returns false.
func (c *Client) EachFile(ctx context.Context, p ListFilesParams, fn func(TrainingFile) bool) error {
	for range maxListPages {
		files, next, err := c.ListFiles(ctx, p)
		if err != nil {
			return err
		}
		for _, f := range files {
			if !fn(f) {
				return nil
			}
		}
		if next == "" || next == p.After {
			return nil
		}
		p.After = next
	}
	return nil
}

// FileJobs lists the jobs that used a file (GET /files/{id}/jobs), to
// recover a job whose create answer was lost. A deployment without the
// route answers 404 or 405: then supported is false and err nil.
func (c *Client) FileJobs(ctx context.Context, id string, after string, limit int) (jobs []Job, next string, supported bool, err error) {
	if id == "" {
		return nil, "", false, errors.New("listing the jobs of a training file: the file id is empty")
	}
	q := url.Values{"limit": {strconv.Itoa(limitOr20(limit))}}
	setIf(q, "after", after)
	page, err := c.listJobs(ctx, filePath(filesRoute, id, "/jobs"), q, kindSFT, "jobs", "data", "results", "items")
	if routeMissing(err) {
		return nil, "", false, nil
	}
	if err != nil {
		return nil, "", true, err
	}
	return page.jobs, page.nextAfterLast(), true, nil
}

// DeleteFile deletes a training file (DELETE /files/{id}, else
// /learning/files/{id}). 404 (already gone) and 405 (not supported) count
// as done (§9).
func (c *Client) DeleteFile(ctx context.Context, id string) error {
	if id == "" {
		return errors.New("deleting a training file: the file id is empty")
	}
	_, err := withFileFallback(func(route string) (*response, error) {
		// Deleting twice is harmless: a second delete answers 404, which
		// counts as done.
		return expect(c.call(ctx, http.MethodDelete, filePath(route, id, ""), nil, nil, "", mayRetry))
	})
	if routeMissing(err) {
		return nil
	}
	return err
}
