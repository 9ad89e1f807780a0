# The FFT-first pipeline on the math task app: worked arithmetic problems are
# uploaded, Qwen/Qwen3-4B is fully fine-tuned on them, and an RL job trains
# the fine-tune's checkpoint against the math task app, which grades each
# answer by its own rubric.
#
# Changing a line of train.jsonl uploads a new file, which replaces the
# fine-tune, which replaces the RL job; nothing else changes.
#
# The provider reads SYNTH_API_KEY, SYNTH_BACKEND_URL and ENVIRONMENT_API_KEY
# from the environment; the math task app's URL is a variable
# (TF_VAR_math_task_app_url; the emulator's env file names it
# MATH_TASK_APP_URL).

terraform {
  required_version = ">= 1.11"
  required_providers {
    synth = {
      source = "synth-laboratories/synth"
    }
  }
}

provider "synth" {}

variable "math_task_app_url" {
  type        = string
  description = "The math task app's URL."
}

# A relative path would be read from the directory Terraform runs in, so
# name the files through path.module.
resource "synth_training_file" "train" {
  path = "${path.module}/train.jsonl"
}

resource "synth_training_file" "validation" {
  path = "${path.module}/validation.jsonl"
}

resource "synth_sft_job" "fft" {
  config_toml        = file("${path.module}/sft.toml")
  training_file_id   = synth_training_file.train.id
  validation_file_id = synth_training_file.validation.id
}

# The task app's own description: its environment, dataset and the rubric it
# grades answers by. Fails the plan, with the reason, when the app is down.
data "synth_task_app" "math" {
  url   = var.math_task_app_url
  seeds = [0]
}

locals {
  task_info = jsondecode(data.synth_task_app.math.instances[0].json)
}

resource "synth_rl_job" "math" {
  config_toml = file("${path.module}/rl.toml")

  model = {
    source = synth_sft_job.fft.fine_tuned_model
  }

  services = {
    task_url = var.math_task_app_url
  }

  tags = {
    pipeline = "fft-first"
    task     = data.synth_task_app.math.task.id
  }

  lifecycle {
    precondition {
      condition     = contains(data.synth_task_app.math.environments, "math")
      error_message = "The task app at ${var.math_task_app_url} serves ${jsonencode(data.synth_task_app.math.environments)}, not the math environment rl.toml trains on."
    }
  }
}

output "training_file_id" {
  value = synth_training_file.train.id
}

output "fft_model" {
  description = "The full fine-tune's model, fft:<base>:<job id>."
  value       = synth_sft_job.fft.fine_tuned_model
}

output "rl_policy" {
  description = "The RL job's trained policy, rl:<base>:<job id>[:<checkpoint>]."
  value       = synth_rl_job.math.output_model_id
}

output "rubric" {
  description = "The criteria the math task app grades answers by, and their weights."
  value       = { for c in local.task_info.rubric.criteria : c.id => c.weight }
}

output "base_model" {
  value = provider::synth::model_base(synth_rl_job.math.output_model_id)
}
