package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// durationValidator accepts a Go duration that is not negative and, when
// atLeast is set, not shorter than atLeast.
type durationValidator struct {
	atLeast time.Duration
}

var _ validator.String = durationValidator{}

func (v durationValidator) Description(context.Context) string {
	if v.atLeast > 0 {
		return fmt.Sprintf(`must be a duration of at least %s, such as "%s", "2m" or "1h30m"`, v.atLeast, v.atLeast)
	}
	return `must be a duration such as "30s", "2m" or "1h30m"`
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v durationValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil || d < 0 || d < v.atLeast {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("The value %q %s.", req.ConfigValue.ValueString(), v.Description(ctx)))
	}
}
