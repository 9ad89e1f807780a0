package rlconfig

import (
	"reflect"
	"strings"
)

// A Kind is one kind of job config (RL, SFT) described as data: its
// sections and its keys, in the order the contract lists them, which is
// also the order their diagnostics come in. Everything that knows a key
// reads it from here: the type checks of Validate, the typed overrides
// (Merge, OverridesFromConfig), the SDK's required keys, and, in the
// provider, the typed blocks of the schema with their descriptions, the
// conversion of Terraform values and the import of a recorded config.
type Kind struct {
	Sections []Section
	Keys     []Key
}

// A Section is a table of the config. When present it must be a table;
// keys of it that the Kind does not list pass through unchecked.
type Section struct {
	// Name is the table's path, dotted for a nested table of a kind that
	// has them: "training.validation".
	Name string
	// Doc, when set, makes the section a Terraform block holding the typed
	// keys of the section, and is the block's description.
	Doc string
	// BlockName names the block when it is not the table's name: the SFT
	// block validation is the table [training.validation].
	BlockName string
	// SDKRequired means the SDK refuses a config without this section.
	SDKRequired bool
}

// A Key is a key whose type the backend relies on.
type Key struct {
	// Path is the key's TOML path: ["training", "batch_size"].
	Path []string
	Type ValueType
	// Doc, when set, makes the key a typed attribute, named as the key, of
	// its section's block, and is the attribute's description. A key
	// without one lives only in the TOML.
	Doc string
	// SDKRequired means the SDK refuses a config without this key.
	SDKRequired bool
	// SentAsFraction means the SDK's config model types the number as one
	// with a fraction, so an integer written there is sent as a float (1 as
	// 1.0).
	SentAsFraction bool
	// TypedAs names the typed attribute, "block.attr", when it is not the
	// key's path: the SFT base model lives in [job].model but is the
	// attribute model.base. "" means the path names it.
	TypedAs string
	// Fallbacks are older TOML spellings read, in order, when Path is
	// absent: [model].base for [job].model.
	Fallbacks [][]string
	// Sent is where the create payload carries the value (read back on
	// import), for a kind whose payload is not the config itself (SFT); nil
	// when the key is not sent as such.
	Sent []string
	// rule, when set, is what a value of the right type must also satisfy.
	rule func(v *validator, at place, val any)
}

// Block is the Terraform block the typed attribute belongs to.
func (s Section) Block() string {
	if s.BlockName != "" {
		return s.BlockName
	}
	return s.Name
}

// Typed reports whether the key is a typed attribute.
func (k Key) Typed() bool { return k.Doc != "" }

// Section is the top-level table the key belongs to.
func (k Key) Section() string { return k.Path[0] }

// Name is the key within its table.
func (k Key) Name() string { return k.Path[len(k.Path)-1] }

// Block is the Terraform block of the typed attribute.
func (k Key) Block() string {
	if block, _, ok := strings.Cut(k.TypedAs, "."); ok {
		return block
	}
	return k.Section()
}

// Attr is the typed attribute's name within its block.
func (k Key) Attr() string {
	if _, attr, ok := strings.Cut(k.TypedAs, "."); ok {
		return attr
	}
	return k.Name()
}

// Attribute is the typed attribute's path in the dotted form diagnostics
// and Overrides.Unknown use: "hyperparameters.n_epochs". For an RL key it
// is the key's path.
func (k Key) Attribute() string { return k.Block() + "." + k.Attr() }

// Dotted is the path as diagnostics and Overrides.Unknown spell it:
// "training.batch_size".
func (k Key) Dotted() string { return strings.Join(k.Path, ".") }

// key declares a key that lives only in the TOML.
func key(dotted string, t ValueType, rule func(*validator, place, any)) Key {
	return Key{Path: strings.Split(dotted, "."), Type: t, rule: rule}
}

// typed declares a key that is also a typed attribute, described by doc.
func typed(dotted string, t ValueType, rule func(*validator, place, any), doc string) Key {
	k := key(dotted, t, rule)
	k.Doc = doc
	return k
}

// fraction marks a number the SDK sends with a fraction.
func (k Key) fraction() Key {
	k.SentAsFraction = true
	return k
}

// typedAs makes k the typed attribute attr ("block.attr"), described by doc.
func (k Key) typedAs(attr, doc string) Key {
	k.TypedAs = attr
	k.Doc = doc
	return k
}

// sentAs records where the payload carries k.
func (k Key) sentAs(dotted string) Key {
	k.Sent = strings.Split(dotted, ".")
	return k
}

// orFrom adds older spellings of k, read in order when its path is absent.
func (k Key) orFrom(dotted ...string) Key {
	for _, d := range dotted {
		k.Fallbacks = append(k.Fallbacks, strings.Split(d, "."))
	}
	return k
}

// sdk marks a key the SDK requires.
func (k Key) sdk() Key {
	k.SDKRequired = true
	return k
}

// Blocks are the sections that are Terraform blocks.
func (kind *Kind) Blocks() []Section {
	var out []Section
	for _, s := range kind.Sections {
		if s.Doc != "" {
			out = append(out, s)
		}
	}
	return out
}

// TypedKeys are the typed attributes of block, in table order.
func (kind *Kind) TypedKeys(block string) []Key {
	var out []Key
	for _, k := range kind.Keys {
		if k.Typed() && k.Block() == block {
			out = append(out, k)
		}
	}
	return out
}

// typedKeys are all the typed attributes, block by block.
func (kind *Kind) typedKeys() []Key {
	var out []Key
	for _, s := range kind.Blocks() {
		out = append(out, kind.TypedKeys(s.Block())...)
	}
	return out
}

// Key returns the key at a dotted TOML path.
func (kind *Kind) Key(dotted string) (Key, bool) {
	for _, k := range kind.Keys {
		if k.Dotted() == dotted {
			return k, true
		}
	}
	return Key{}, false
}

// OverridesFromConfig fills the typed overrides from a job's recorded config,
// as on import: every typed key present in config with a value of its type
// is set, every other one is left out. config may come from TOML or from
// JSON (where integers arrive as float64 or json.Number).
func (kind *Kind) OverridesFromConfig(config map[string]any) Overrides {
	var o Overrides
	for _, k := range kind.typedKeys() {
		val, ok := lookup(config, k.Path...)
		if !ok {
			continue
		}
		if converted, ok := k.Type.fromConfig(val); ok {
			o.set(k, converted)
		}
	}
	switch tags := config["tags"].(type) {
	case map[string]any:
		for k, v := range tags {
			if s, ok := v.(string); ok {
				if o.Tags == nil {
					o.Tags = map[string]string{}
				}
				o.Tags[k] = s
			}
		}
	case map[string]string:
		o.Tags = make(map[string]string, len(tags))
		for k, v := range tags {
			o.Tags[k] = v
		}
	}
	return o
}

// missingSDKKeys names, in table order, what the SDK requires that config
// lacks, each once: a required section that is missing, with the keys it
// would need ("[compute] (gpu_type, gpu_count)"), and the required keys of a
// section that is there. The keys of a section the SDK does not require are
// asked for only when that section is there, as the SDK checks them. A value
// not known yet counts as present.
func (kind *Kind) missingSDKKeys(config map[string]any, unknown func(attr string) bool) []string {
	has := func(k Key) bool {
		_, ok := lookup(config, k.Path...)
		return ok || unknown(k.Dotted())
	}
	var missing []string
	for _, s := range kind.Sections {
		var keys []string
		for _, k := range kind.Keys {
			if k.SDKRequired && k.Section() == s.Name {
				keys = append(keys, k.Name())
			}
		}
		if _, ok := config[s.Name]; !ok && !unknown(s.Name) {
			if s.SDKRequired {
				name := "[" + s.Name + "]"
				if len(keys) > 0 {
					name += " (" + strings.Join(keys, ", ") + ")"
				}
				missing = append(missing, name)
			}
			continue
		}
		for _, k := range kind.Keys {
			if k.SDKRequired && k.Section() == s.Name && !has(k) {
				missing = append(missing, k.Dotted())
			}
		}
	}
	return missing
}

// fromConfig converts a recorded config value to the form TOML decoding
// gives a value of type t (see Overrides.Values), accepting what JSON
// decoding or Go code may have produced instead. It reports false when the
// value is not of type t.
func (t ValueType) fromConfig(val any) (any, bool) {
	switch t {
	case TypeString:
		s, ok := val.(string)
		return s, ok
	case TypeBoolean:
		b, ok := val.(bool)
		return b, ok
	case TypeInteger:
		return asInt64(val)
	case TypeNumber:
		// The typed attribute of a number is a float.
		return asFloat64(val)
	case TypeStringArray, TypeIntegerArray:
		items, ok := val.([]any)
		if !ok {
			rv := reflect.ValueOf(val)
			if !rv.IsValid() || rv.Kind() != reflect.Slice {
				return nil, false
			}
			items = make([]any, rv.Len())
			for i := range items {
				items[i] = rv.Index(i).Interface()
			}
		}
		out := make([]any, len(items))
		for i, item := range items {
			if out[i], ok = t.Element().fromConfig(item); !ok {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// Element is the type of an array's elements, and 0 for a type that is
// not an array.
func (t ValueType) Element() ValueType {
	switch t {
	case TypeStringArray:
		return TypeString
	case TypeIntegerArray:
		return TypeInteger
	}
	return 0
}
