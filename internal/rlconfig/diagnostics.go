package rlconfig

import "slices"

// Severity says whether a Diagnostic stops the plan.
type Severity int

const (
	// SeverityError stops the plan (and Resolve).
	SeverityError Severity = iota
	// SeverityWarning is shown and let through: the backend may know
	// better than the SDK's lists this package carries.
	SeverityWarning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem with the config, placed where the user has to
// fix it.
type Diagnostic struct {
	Severity Severity
	// Attribute is the Terraform attribute path, in dotted form, the problem
	// belongs to: "config_toml" when the offending value came from the TOML,
	// a typed attribute such as "model.source" or "training.batch_size", a
	// block such as "model" or "algorithm", "tags", or "" for the provider
	// (its default task URL).
	Attribute string
	// Line is the 1-based line of config_toml the value came from, 0 when it
	// did not come from config_toml or the line is not known.
	Line int
	// Summary is short, e.g. "Invalid model id".
	Summary string
	// Detail is a full sentence naming the attribute, or "config_toml
	// line N" and the key.
	Detail string
}

// Diagnostics is a list of problems, errors and warnings mixed.
type Diagnostics []Diagnostic

// HasError reports whether any diagnostic is an error.
func (d Diagnostics) HasError() bool {
	return slices.ContainsFunc(d, func(x Diagnostic) bool { return x.Severity == SeverityError })
}
