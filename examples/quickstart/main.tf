# Train Qwen/Qwen3-4B with RL on a health-checked task app.
#
# The provider reads its settings from the environment: SYNTH_API_KEY,
# SYNTH_BACKEND_URL, ENVIRONMENT_API_KEY and TASK_APP_URL. `make demo` points
# them at the local emulator.

terraform {
  required_version = ">= 1.11"
  required_providers {
    synth = {
      source = "synth-laboratories/synth"
    }
  }
}

provider "synth" {}

# Fails the plan early, with the reason, when the task app is down or refuses the key.
data "synth_task_app" "crafter" {
  seeds = [0]
}

# The whole training config is rl.toml, as `synth-ai train --config rl.toml`
# would read it; the task app URL comes from TASK_APP_URL.
resource "synth_rl_job" "quickstart" {
  config_toml = file("${path.module}/rl.toml")

  tags = {
    example = "quickstart"
    task    = data.synth_task_app.crafter.task.name
  }
}

output "job_id" {
  value = synth_rl_job.quickstart.id
}

output "status" {
  value = synth_rl_job.quickstart.status
}

output "trained_model" {
  value = synth_rl_job.quickstart.output_model_id
}
