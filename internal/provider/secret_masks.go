package provider

import (
	"regexp"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// minSecretPrefix is the shortest start of a secret masked in logs. Task apps
// quote the first 15 characters of keys in their 400 answers
// (allowed_first15, got_first15) to help tell keys apart; such a prefix, or
// any other run of 8 or more of a key's first characters, is masked wherever
// it appears, as the whole key is.
const minSecretPrefix = 8

// secretPrefixPattern matches the first minSecretPrefix characters of
// secret and the rest of the token they start, so any longer prefix is
// masked whole, and whatever follows it up to a quote, a space or JSON
// punctuation with it. (A pattern that stops exactly where the prefix stops
// needs one nested group per character, which long keys push past the
// regexp package's nesting limit.) It is nil for a secret too short to have
// such a prefix; the exact-string masks cover those.
func secretPrefixPattern(secret string) *regexp.Regexp {
	if len(secret) < minSecretPrefix {
		return nil
	}
	return regexp.MustCompile(regexp.QuoteMeta(secret[:minSecretPrefix]) + `[^\s"'\\,;\[\]{}()<>]*`) // the secret part is quoted
}

// secretPatterns compiles the prefix patterns of secrets, remembering them:
// the provider's own keys are masked for every RPC, and compiling them each
// time would cost a refresh of hundreds of jobs for nothing.
type secretPatterns struct {
	mu       sync.Mutex
	compiled map[string]*regexp.Regexp
}

func (p *secretPatterns) of(secrets []string) []*regexp.Regexp {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.compiled == nil {
		p.compiled = map[string]*regexp.Regexp{}
	}
	var out []*regexp.Regexp
	for _, s := range secrets {
		re, ok := p.compiled[s]
		if !ok {
			re = secretPrefixPattern(s)
			p.compiled[s] = re
		}
		if re != nil {
			out = append(out, re)
		}
	}
	return out
}

// maskDiagnostics masks the secrets the provider knows, and their prefixes,
// in the summaries and details of diags. A diagnostic is a log line too:
// terraform-plugin-go logs each one the provider returns, outside any mask
// the provider sets on its own logger, and an error may quote an answer that
// carries key prefixes, such as a task app's 400 with allowed_first15.
func (d *providerData) maskDiagnostics(diags *diag.Diagnostics, extra ...string) {
	if d == nil || len(*diags) == 0 {
		return
	}
	secrets := d.knownSecrets(extra)
	prefixes := d.secretPrefixes.of(secrets)
	mask := func(s string) string {
		for _, secret := range secrets {
			s = strings.ReplaceAll(s, secret, maskedSecret)
		}
		for _, re := range prefixes {
			s = re.ReplaceAllLiteralString(s, maskedSecret)
		}
		return s
	}
	for i, dg := range *diags {
		summary, detail := mask(dg.Summary()), mask(dg.Detail())
		if summary == dg.Summary() && detail == dg.Detail() {
			continue
		}
		var masked diag.Diagnostic = diag.NewErrorDiagnostic(summary, detail)
		if dg.Severity() == diag.SeverityWarning {
			masked = diag.NewWarningDiagnostic(summary, detail)
		}
		if withPath, ok := dg.(diag.DiagnosticWithPath); ok {
			masked = diag.WithPath(withPath.Path(), masked)
		}
		(*diags)[i] = masked
	}
}

// maskedSecret replaces a secret, as tflog's masks do.
const maskedSecret = "***"
