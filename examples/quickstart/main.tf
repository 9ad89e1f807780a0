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

resource "synth_rl_job" "quickstart" {
  algorithm = {
    type    = "online"
    method  = "policy_gradient"
    variety = "gspo"
  }

  model = {
    base         = "Qwen/Qwen3-4B"
    trainer_mode = "lora"
    label        = "crafter-quickstart"
  }

  compute = {
    gpu_type  = "H100"
    gpu_count = 2
  }

  rollout = {
    env_name                = "crafter"
    policy_name             = "crafter-react"
    max_turns               = 10
    episodes_per_batch      = 8
    max_concurrent_rollouts = 4
  }

  training = {
    num_epochs           = 1
    iterations_per_epoch = 2
    max_turns            = 10
    batch_size           = 4
    group_size           = 4
    learning_rate        = 0.00005
  }

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
