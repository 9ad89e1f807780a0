// Package rlconfig is the RL job config engine of the Synth provider.
//
// A job's config is one TOML document (config_toml) that the provider's typed
// attributes may override key by key. This package owns every rule about that
// document: parsing it, merging the typed overrides onto it, validating the
// result, choosing the task-app URL, and building the create payload the
// backend expects (see the backend contract, sections 3 and 5).
//
// The keys it knows are described once, as data: one table per config kind
// ([RL]), each entry a key's TOML path, type, rule, SDK requirement and, for
// a typed attribute, description. The checks here and the provider's typed
// blocks are derived from it.
//
// Everything here is a pure function of its inputs: no HTTP, no Terraform
// types. The provider translates Terraform values into an [Input] (marking the
// values it does not know yet at plan time in [Overrides.Unknown]), calls
// [Validate] at plan time and [Resolve] plus [BuildPayload] at apply time, and
// turns the returned [Diagnostics] into Terraform diagnostics.
//
// Sections and keys this package does not know pass through to the backend
// untouched; the backend is the authority on them.
//
// The SFT job config (FFT, LoRA, QLoRA; contract section 11) is the second
// config kind, described as one key table, [SFT]: [ValidateSFT] at plan
// time, [ResolveSFT] plus [BuildSFTPayload] at apply time, [SFTJobKey] to
// tell an identical job, and [SFTConfigFromJob] to import one.
package rlconfig
