// Command profiledprovider is the real Synth provider, served exactly as
// main.go serves it (same soft memory limit, same log levels), with a CPU profile written to
// the file named by SYNTH_BENCH_CPUPROFILE for as long as it serves. It is
// built by `go run ./internal/bench -cpuprofile FILE` only, so that profiling
// stays out of the shipped binary.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"runtime/debug"
	"runtime/pprof"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/synth-laboratories/terraform-provider-synth/internal/provider"
)

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(40 << 20) // as main.go
	}
	provider.SilenceUnreadLogs() // as main.go
	if path := os.Getenv("SYNTH_BENCH_CPUPROFILE"); path != "" {
		// Terraform starts the provider more than once per plan; each
		// process keeps its own profile.
		f, err := os.Create(fmt.Sprintf("%s.%d", path, os.Getpid()))
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer func() {
			pprof.StopCPUProfile()
			_ = f.Close()
		}()
	}
	err := providerserver.Serve(context.Background(), provider.New("profiled"), providerserver.ServeOpts{
		Address: "registry.terraform.io/synth-laboratories/synth",
	})
	if err != nil {
		log.Print(err.Error())
	}
}
