package rlconfig

import "testing"

func TestConfigKeySameTraining(t *testing.T) {
	for name, pair := range map[string][2]string{
		"key order and spacing": {`{"a":1,"b":{"x":"y","w":[1,2]}}`, `{ "b": {"w": [1, 2], "x": "y"}, "a": 1 }`},
		"float formatting":      {`{"training":{"learning_rate":5e-05}}`, `{"training":{"learning_rate":0.00005}}`},
		"integral float":        {`{"training":{"num_epochs":1}}`, `{"training":{"num_epochs":1.0}}`},
		"task url slash":        {`{"services":{"task_url":"https://app.example/"}}`, `{"services":{"task_url":"https://app.example"}}`},
		"big integers exactly":  {`{"data":{"seed":12345678901234567890}}`, `{"data":{"seed":12345678901234567890}}`},
		"html characters":       {`{"services":{"task_url":"https://x/?a=1&b=<2>"}}`, `{"services":{"task_url":"https://x/?a=1\u0026b=\u003c2\u003e"}}`},
	} {
		t.Run(name, func(t *testing.T) {
			a, err := ConfigKey([]byte(pair[0]))
			if err != nil {
				t.Fatal(err)
			}
			b, err := ConfigKey([]byte(pair[1]))
			if err != nil {
				t.Fatal(err)
			}
			if a != b {
				t.Errorf("keys differ:\n%s\n%s", a, b)
			}
		})
	}
}

func TestConfigKeyDifferentTraining(t *testing.T) {
	for name, pair := range map[string][2]string{
		"value":                {`{"training":{"batch_size":16}}`, `{"training":{"batch_size":32}}`},
		"string is not number": {`{"compute":{"gpu_count":8}}`, `{"compute":{"gpu_count":"8"}}`},
		"extra key":            {`{"a":1}`, `{"a":1,"b":null}`},
		"array order":          {`{"evaluation":{"seeds":[0,1]}}`, `{"evaluation":{"seeds":[1,0]}}`},
		"close floats":         {`{"t":{"lr":0.1}}`, `{"t":{"lr":0.10000000000000001}}`},
		"other url path":       {`{"services":{"task_url":"https://app.example/a"}}`, `{"services":{"task_url":"https://app.example/b"}}`},
		"nested task_url only": {`{"other":{"task_url":"https://x/"}}`, `{"other":{"task_url":"https://x"}}`},
	} {
		t.Run(name, func(t *testing.T) {
			a, err := ConfigKey([]byte(pair[0]))
			if err != nil {
				t.Fatal(err)
			}
			b, err := ConfigKey([]byte(pair[1]))
			if err != nil {
				t.Fatal(err)
			}
			if a == b {
				t.Errorf("keys equal for different configs: %s", a)
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
