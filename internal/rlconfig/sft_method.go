package rlconfig

import "slices"

// SFTMethod is how an SFT job trains: a full fine-tune, a LoRA or a QLoRA
// adapter. Its value is also the payload's metadata.kind.
type SFTMethod string

// The three methods of §11.1.
const (
	SFTMethodFFT   SFTMethod = "fft"
	SFTMethodLoRA  SFTMethod = "lora"
	SFTMethodQLoRA SFTMethod = "qlora"
)

// Mode is the method's metadata.effective_config.training.mode.
func (m SFTMethod) Mode() string {
	if m == SFTMethodFFT {
		return "full_finetune"
	}
	return "lora"
}

// UseQLoRA is the method's use_qlora signal.
func (m SFTMethod) UseQLoRA() bool { return m == SFTMethodQLoRA }

// TrainKind is the method's hyperparameters.train_kind.
func (m SFTMethod) TrainKind() string {
	if m == SFTMethodFFT {
		return "fft"
	}
	return "peft"
}

// OutputPrefix is the prefix the trained model id is expected to carry:
// "fft:" or "peft:". The backend chooses; this is what to expect, not to
// enforce.
func (m SFTMethod) OutputPrefix() string { return m.TrainKind() + ":" }

// fullModes name a full fine-tune in [training].mode.
var fullModes = []string{"full_finetune", "sft_offline"}

// checkMethod decides the method from [training].mode and use_qlora as the
// contract's table does, refusing a combination that names two methods,
// and warns about the other places a config names its method.
func (v *sftValidator) checkMethod() {
	modeKey, _ := SFT.Key("training.mode")
	qloraKey, _ := SFT.Key("training.use_qlora")
	if v.isUnknown(modeKey) || v.isUnknown(qloraKey) || !v.tomlKnown && !v.typedSet(modeKey) && !v.typedSet(qloraKey) {
		return
	}
	modeVal, modeSet := lookup(v.merged, "training", "mode")
	mode, modeOK := modeVal.(string)
	qloraVal, qloraSet := lookup(v.merged, "training", "use_qlora")
	qlora, qloraOK := qloraVal.(bool)
	if modeSet && !modeOK || qloraSet && !qloraOK || modeOK && mode == "" {
		return // reported as a wrong type or an empty value
	}
	modeAt, qloraAt := v.placeOf(modeKey, modeKey.Path), v.placeOf(qloraKey, qloraKey.Path)

	switch {
	case !modeSet:
		v.method = SFTMethodFFT
		if qlora {
			v.method = SFTMethodQLoRA
		}
	case slices.Contains(fullModes, mode):
		v.method = SFTMethodFFT
		if qlora {
			v.errorAt(qloraAt, "Conflicting method",
				"%s is true, but %s is %q, a full fine-tune; QLoRA needs mode \"lora\" or \"qlora\".", qloraAt.name, modeAt.name, mode)
			return
		}
	case mode == "lora":
		v.method = SFTMethodLoRA
		if qlora {
			v.method = SFTMethodQLoRA
		}
	case mode == "qlora":
		v.method = SFTMethodQLoRA
		if qloraSet && !qlora {
			v.errorAt(qloraAt, "Conflicting method",
				"%s is false, but %s is \"qlora\"; leave use_qlora unset or true.", qloraAt.name, modeAt.name)
			return
		}
	default:
		v.errorAt(modeAt, "Unknown training mode",
			"%s must be \"full_finetune\", \"sft_offline\", \"lora\" or \"qlora\", got %q.", modeAt.name, mode)
		return
	}
	v.checkMethodSignals()
}

// checkMethodSignals warns where the config names a method other than the
// one [training] chose; the payload sends the chosen one everywhere.
func (v *sftValidator) checkMethodSignals() {
	if variety, ok := lookupString(v.merged, "algorithm", "variety"); ok && variety != "" && SFTMethod(variety) != v.method {
		at := v.tomlPlace("algorithm", "variety")
		v.warnAt(at, "Method disagrees with the algorithm",
			"%s is %q, but [training].mode makes this job %s (%q); the job is sent as %q.",
			at.name, variety, v.method.describe(), string(v.method), string(v.method))
	}
	if kind, ok := lookupString(v.merged, "hyperparameters", "train_kind"); ok && kind != v.method.TrainKind() {
		at := v.tomlPlace("hyperparameters", "train_kind")
		v.warnAt(at, "train_kind replaced", "%s is %q, but the job is %s, so train_kind is sent as %q.",
			at.name, kind, v.method.describe(), v.method.TrainKind())
	}
	if q, ok := lookup(v.merged, "hyperparameters", "use_qlora"); ok {
		if b, isBool := q.(bool); isBool && b != v.method.UseQLoRA() {
			at := v.tomlPlace("hyperparameters", "use_qlora")
			v.warnAt(at, "use_qlora replaced", "%s is %t, but the job is %s; [training] decides the method.",
				at.name, b, v.method.describe())
		}
	}
}

func (m SFTMethod) describe() string {
	switch m {
	case SFTMethodLoRA:
		return "a LoRA"
	case SFTMethodQLoRA:
		return "a QLoRA"
	}
	return "a full fine-tune"
}
