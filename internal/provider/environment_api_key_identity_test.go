package provider

import (
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/synth-laboratories/terraform-provider-synth/internal/emulator"
)

func TestEnvironmentAPIKey_identityIsTheName(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	config := func(version int) string {
		return envKeyConfig(env, `  name             = "STAGING_KEY"
  value_wo_version = `+strconv.Itoa(version))
	}
	identity := statecheck.ExpectIdentity(envKeyAddr, map[string]knownvalue.Check{"name": knownvalue.StringExact("STAGING_KEY")})
	sameIdentity := statecheck.CompareValue(compare.ValuesSame())

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		TerraformVersionChecks:   identityCLIs,
		Steps: []resource.TestStep{
			{
				Config:          config(1),
				ConfigVariables: keyVariable(testEnvironmentKey),
				ConfigStateChecks: []statecheck.StateCheck{
					identity,
					statecheck.ExpectIdentityValueMatchesState(envKeyAddr, tfjsonpath.New("name")),
					sameIdentity.AddStateValue(envKeyAddr, tfjsonpath.New("name")),
				},
			},
			{
				// A refresh keeps it.
				Config:          config(1),
				ConfigVariables: keyVariable(testEnvironmentKey),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{identity},
			},
			{
				// A new version uploads the new key in place, under the same
				// name, so the identity stays.
				Config:          config(2),
				ConfigVariables: keyVariable(testEnvironmentKey + "_rotated"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(envKeyAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					identity,
					sameIdentity.AddStateValue(envKeyAddr, tfjsonpath.New("name")),
				},
				Check: storedKeyIs(env, "STAGING_KEY", testEnvironmentKey+"_rotated"),
			},
		},
	})
}
