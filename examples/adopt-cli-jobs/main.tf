# Bring jobs started with `synth-ai train` under Terraform (Terraform 1.14+).
#
#   terraform init
#   terraform query -generate-config-out=jobs.tf   # lists, then writes resource + import blocks
#   terraform plan                                 # N to import, 0 to add, 0 to change
#   terraform apply
#
# The provider reads its settings from the environment: SYNTH_API_KEY and
# SYNTH_BACKEND_URL. `make demo` points them at the local emulator.

terraform {
  required_providers {
    synth = {
      source = "synth-laboratories/synth"
    }
  }
}

provider "synth" {}
