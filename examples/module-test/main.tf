# A module that trains one RL stage from any model id (a base model, or a
# fine-tuned or RL model such as another stage's output), and the tests of it
# in tests/: `terraform test` runs them with a mock of the provider (no
# backend at all) and against a backend (the emulator in `make test`).
#
# The provider reads its settings from the environment: SYNTH_API_KEY,
# SYNTH_BACKEND_URL, ENVIRONMENT_API_KEY and TASK_APP_URL.

terraform {
  required_version = ">= 1.11"
  required_providers {
    synth = {
      source = "synth-laboratories/synth"
    }
  }
}

variable "start_from" {
  type        = string
  description = "The model to train: a base model such as Qwen/Qwen3-4B, or a trained model such as fft:Qwen/Qwen3-4B:job_123."

  validation {
    condition     = can(provider::synth::parse_model_id(var.start_from))
    error_message = "start_from must be a base model id such as Qwen/Qwen3-4B or a trained model id such as fft:Qwen/Qwen3-4B:job_123."
  }
}

variable "label" {
  type        = string
  description = "A label for the trained model."
}

locals {
  # A base model goes into model.base, anything trained into model.source.
  start = provider::synth::parse_model_id(var.start_from)
}

resource "synth_rl_job" "stage" {
  algorithm = {
    type    = "online"
    method  = "policy_gradient"
    variety = "gspo"
  }

  model = {
    base         = local.start.kind == "base" ? var.start_from : null
    source       = local.start.kind == "base" ? null : var.start_from
    trainer_mode = local.start.kind == "lora" ? "lora" : "full"
    label        = var.label
  }

  compute = {
    gpu_type  = "H100"
    gpu_count = 2
  }

  rollout = {
    env_name                = "crafter"
    policy_name             = "crafter-react"
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
    base_model = local.start.base_model
  }
}

output "job_id" {
  value = synth_rl_job.stage.id
}

output "status" {
  value = synth_rl_job.stage.status
}

output "trained_model" {
  value = synth_rl_job.stage.output_model_id
}
