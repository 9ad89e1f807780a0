package rlconfig

import (
	"strings"
	"testing"
)

func TestResolveTaskURL(t *testing.T) {
	tests := []struct {
		name                         string
		explicit, provider, fromTOML string
		wantURL, wantSource          string
	}{
		{"explicit first", "https://a.example.com", "https://b.example.com", "https://c.example.com", "https://a.example.com", TaskURLFromAttribute},
		{"provider default second", "", "https://b.example.com", "https://c.example.com", "https://b.example.com", TaskURLFromProvider},
		{"TOML last", "", "", "https://c.example.com", "https://c.example.com", TaskURLFromTOML},
		{"none", "", "", "", "", ""},
		{"trailing slashes removed", "https://a.example.com/api//", "", "", "https://a.example.com/api", TaskURLFromAttribute},
		{"trailing slash of the default", "", "https://b.example.com/", "", "https://b.example.com", TaskURLFromProvider},
		{"trailing slash of the TOML", "", "", "https://c.example.com/", "https://c.example.com", TaskURLFromTOML},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, source := ResolveTaskURL(tt.explicit, tt.provider, tt.fromTOML)
			if url != tt.wantURL || source != tt.wantSource {
				t.Errorf("ResolveTaskURL = (%q, %q), want (%q, %q)", url, source, tt.wantURL, tt.wantSource)
			}
		})
	}
}

func TestCheckServiceURL(t *testing.T) {
	tests := []struct {
		url     string
		wantErr string
	}{
		{"https://synth-laboratories--crafter-task-app.modal.run", ""},
		{"http://localhost:8001", ""},
		{"http://127.0.0.1:8001/prefix?x=1&y=2", ""},
		{"HTTPS://example.com", ""},
		{"ftp://example.com", "http:// or https://"},
		{"example.com", "http:// or https://"},
		{"/rollout", "http:// or https://"},
		{"https://", "no host"},
		{"https:///path", "no host"},
		{"https://:8080", "no host"},
		{"https://exa mple.com", "whitespace"},
		{" https://example.com", "whitespace"},
		{"https://example.com\n", "whitespace"},
		{"https://example.com/%zz", "does not parse"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := checkServiceURL(tt.url)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
