package rlconfig

import "testing"

func TestConfigKey(t *testing.T) {
	for name, c := range map[string]struct {
		a, b string
		same bool
	}{
		"key order and spacing": {`{"a":1,"b":{"x":"y","w":[1,2]}}`, `{ "b": {"w": [1, 2], "x": "y"}, "a": 1 }`, true},
		"float formatting":      {`{"training":{"learning_rate":5e-05}}`, `{"training":{"learning_rate":0.00005}}`, true},
		"integral float":        {`{"training":{"num_epochs":1}}`, `{"training":{"num_epochs":1.0}}`, true},
		"task url slash":        {`{"services":{"task_url":"https://app.example/"}}`, `{"services":{"task_url":"https://app.example"}}`, true},
		"html characters":       {`{"services":{"task_url":"https://x/?a=1&b=<2>"}}`, `{"services":{"task_url":"https://x/?a=1\u0026b=\u003c2\u003e"}}`, true},

		"value":                {`{"training":{"batch_size":16}}`, `{"training":{"batch_size":32}}`, false},
		"string is not number": {`{"compute":{"gpu_count":8}}`, `{"compute":{"gpu_count":"8"}}`, false},
		"extra key":            {`{"a":1}`, `{"a":1,"b":null}`, false},
		"array order":          {`{"evaluation":{"seeds":[0,1]}}`, `{"evaluation":{"seeds":[1,0]}}`, false},
		"close floats":         {`{"t":{"lr":0.1}}`, `{"t":{"lr":0.10000000000000001}}`, false},
		// Equal once rounded to float64: only an exact comparison tells them apart.
		"big integers exactly": {`{"data":{"seed":12345678901234567890}}`, `{"data":{"seed":12345678901234567891}}`, false},
		"other url path":       {`{"services":{"task_url":"https://app.example/a"}}`, `{"services":{"task_url":"https://app.example/b"}}`, false},
		"nested task_url only": {`{"other":{"task_url":"https://x/"}}`, `{"other":{"task_url":"https://x"}}`, false},
	} {
		t.Run(name, func(t *testing.T) {
			a, err := ConfigKey([]byte(c.a))
			if err != nil {
				t.Fatal(err)
			}
			b, err := ConfigKey([]byte(c.b))
			if err != nil {
				t.Fatal(err)
			}
			if (a == b) != c.same {
				t.Errorf("same training = %v, want %v:\n%s\n%s", a == b, c.same, a, b)
			}
		})
	}
}

func TestConfigKeyRejects(t *testing.T) {
	for _, raw := range []string{``, `[1]`, `"x"`, `{"a":1} {}`, `{"a":`} {
		if _, err := ConfigKey([]byte(raw)); err == nil {
			t.Errorf("ConfigKey(%q): no error", raw)
		}
	}
}

// The provider's own encoding of a resolved config and the backend's echo of
// it must give one key, whatever the number encoding of either side.
func TestConfigKeyOfEffectiveConfig(t *testing.T) {
	r := &Resolved{Config: map[string]any{
		"training": map[string]any{"learning_rate": 5e-5, "num_epochs": int64(1)},
		"services": map[string]any{"task_url": "https://app.example"},
	}}
	sent, err := EffectiveConfigJSON(r)
	if err != nil {
		t.Fatal(err)
	}
	a, err := ConfigKey([]byte(sent))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ConfigKey([]byte(`{"services":{"task_url":"https://app.example/"},"training":{"num_epochs":1.0,"learning_rate":0.00005}}`))
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("keys differ:\n%s\n%s", a, b)
	}
}
