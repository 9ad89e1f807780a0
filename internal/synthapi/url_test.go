package synthapi

import (
	"strings"
	"testing"
)

func TestNormalizeBackendURL(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		// The four spellings of contract §1.
		{in: "https://x", want: "https://x/api"},
		{in: "https://x/", want: "https://x/api"},
		{in: "https://x/api", want: "https://x/api"},
		{in: "https://x/api/v1", want: "https://x/api"},

		{in: DefaultBackendURL, want: "https://api.usesynth.ai/api"},
		{in: "https://x/api/v1/", want: "https://x/api"},
		{in: "https://x/v1", want: "https://x/api"},
		{in: "https://x//", want: "https://x/api"},
		{in: "http://localhost:8000", want: "http://localhost:8000/api"},
		{in: "https://x/prefix", want: "https://x/prefix/api"},
		{in: "HTTPS://x", want: "https://x/api"},

		{in: "", wantErr: true},
		{in: "api.usesynth.ai", wantErr: true},
		{in: "ftp://x", wantErr: true},
		{in: "https://", wantErr: true},
		{in: "https:///api", wantErr: true},
		{in: "https://x y", wantErr: true},
		{in: " https://x", wantErr: true},
		{in: "https://x/api\n", wantErr: true},
		{in: "https://user:secret@x", wantErr: true},
		{in: "https://x?env=prod", wantErr: true},
		{in: "https://x#frag", wantErr: true},
		{in: "://x", wantErr: true},
	}
	for _, tt := range tests {
		got, err := NormalizeBackendURL(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("NormalizeBackendURL(%q) = %q, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeBackendURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalizeBackendURLHidesCredentials(t *testing.T) {
	_, err := NormalizeBackendURL("https://user:hunter2@x")
	if err == nil {
		t.Fatal("want an error")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %q repeats the password", err)
	}
}

func TestNewTaskAppURL(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{in: "https://org--app-fastapi-app.modal.run", want: "https://org--app-fastapi-app.modal.run"},
		{in: "https://org--app-fastapi-app.modal.run/", want: "https://org--app-fastapi-app.modal.run"},
		{in: "http://127.0.0.1:8001/sub//", want: "http://127.0.0.1:8001/sub"},
		{in: "grpc://x", wantErr: true},
		{in: "", wantErr: true},
		{in: "https://x /", wantErr: true},
	}
	for _, tt := range tests {
		app, err := NewTaskApp(tt.in, "k")
		if tt.wantErr {
			if err == nil {
				t.Errorf("NewTaskApp(%q): want an error", tt.in)
			}
			continue
		}
		if err != nil || app.URL() != tt.want {
			t.Errorf("NewTaskApp(%q).URL() = %v, %v; want %q", tt.in, app, err, tt.want)
		}
	}
}
