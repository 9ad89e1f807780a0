package rlconfig

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// The places a task-app URL can come from, as Resolved.TaskURLSource and the
// diagnostics name them.
const (
	TaskURLFromAttribute = "services.task_url"
	TaskURLFromProvider  = "the provider's task_app_url (or TASK_APP_URL)"
	TaskURLFromTOML      = "[services].task_url in config_toml"
)

// ResolveTaskURL applies the SDK CLI's precedence: the explicit URL (the
// typed services.task_url, the CLI's --task-url) first, then the provider's
// default (its task_app_url or TASK_APP_URL), then [services].task_url from
// config_toml. An empty string counts as not given. The chosen URL comes back
// without trailing slashes, together with where it came from; both are ""
// when no URL is given anywhere.
func ResolveTaskURL(explicit, providerDefault, fromTOML string) (url string, source string) {
	switch {
	case explicit != "":
		return strings.TrimRight(explicit, "/"), TaskURLFromAttribute
	case providerDefault != "":
		return strings.TrimRight(providerDefault, "/"), TaskURLFromProvider
	case fromTOML != "":
		return strings.TrimRight(fromTOML, "/"), TaskURLFromTOML
	}
	return "", ""
}

// checkServiceURL accepts what the backend can call: an absolute http or
// https URL with a host. Whitespace is refused outright because it is almost
// always a copy-paste accident (a trailing newline from a file or a command's
// output) that would otherwise surface as a DNS error mid-job.
func checkServiceURL(raw string) error {
	if hasSpace(raw) {
		return errors.New("it contains whitespace")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("it does not parse: %s", strings.TrimPrefix(err.Error(), fmt.Sprintf("parse %q: ", raw)))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("it must be an absolute http:// or https:// URL")
	}
	if u.Hostname() == "" {
		return errors.New("it has no host")
	}
	return nil
}
