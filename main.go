// Command terraform-provider-synth serves the Synth provider to Terraform.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	runtimedebug "runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/synth-laboratories/terraform-provider-synth/internal/provider"
)

// Generate the registry docs from the provider schema, templates/ and examples/.
//go:generate go tool -modfile=tools/go.mod tfplugindocs generate --provider-name synth --rendered-website-dir docs

// version is set by the release build (goreleaser) through -ldflags "-X main.version=...".
var version = "dev"

const softMemoryLimit = 40 << 20

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "serve the provider with support for debuggers such as delve")
	flag.Parse()

	// A refresh over hundreds of jobs makes short-lived garbage in proportion to
	// the state, and the default pacing lets the heap double before collecting
	// it. A soft limit keeps the provider small next to Terraform; GOMEMLIMIT
	// still wins when it is set.
	if os.Getenv("GOMEMLIMIT") == "" {
		runtimedebug.SetMemoryLimit(softMemoryLimit)
	}
	provider.SilenceUnreadLogs()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/synth-laboratories/synth",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
