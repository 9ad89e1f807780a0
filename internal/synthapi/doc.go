// Package synthapi is the HTTP client the Synth provider uses to talk to the
// Synth backend (RL jobs, training files, SFT jobs, environment keys) and to
// task apps.
//
// The package deliberately knows nothing about Terraform: it speaks the
// contract in shared/synth-api.md, retries what is safe to retry, and turns
// every failure into an error a person can act on. The provider decides what
// those errors mean for a plan or an apply.
//
// # Errors
//
// A non-2xx answer from the backend is an [*APIError]; a request that never
// got an answer (connection refused, reset, DNS, per-attempt timeout) is a
// [*RequestError]. Both record how many attempts were made. [IsNotFound]
// and [IsTransient] classify them. Task-app checks return [*TaskAppError],
// whose Kind says what went wrong in terms a user can fix.
//
// # Retries
//
// Every request states whether it may be sent more than once (a
// retryDecision): reads, deletes, verify_task_app, SFT starts, and creates,
// uploads and cancels that carry an Idempotency-Key may; an environment-key
// upload, and a create or file upload without a key, may not. Those that may
// are
// retried on connection errors and on 408, 429, 500, 502, 503 and 504, with
// exponential backoff and jitter, honouring Retry-After. Anything else is
// answered after exactly one attempt. All of that lives in retry.go.
package synthapi
