# Two RL stages: the second trains from the model the first produced, and
# only when the first reached the reward it had to.
#
# Terraform plans the second job with its source model unknown and submits it
# once the first job has succeeded. Both stages share rl.toml. Settings come
# from the environment:
# SYNTH_API_KEY, ENVIRONMENT_API_KEY and TASK_APP_URL.

terraform {
  required_version = ">= 1.11"
  required_providers {
    synth = {
      source = "synth-laboratories/synth"
    }
  }
}

provider "synth" {}

# The first stage trains the base model rl.toml names.
resource "synth_rl_job" "warmup" {
  config_toml = file("${path.module}/rl.toml")

  tags = {
    stage = "warmup"
  }
}

# The second stage reuses the same TOML: the model set here replaces the
# TOML's [model].base, as `synth-ai train --model` does, and the training
# knobs set here override the TOML's.
resource "synth_rl_job" "refine" {
  config_toml = file("${path.module}/rl.toml")

  model = {
    source = synth_rl_job.warmup.output_model_id
    label  = "crafter-refined"
  }

  training = {
    num_epochs    = 2
    group_size    = 8
    learning_rate = 0.00001
  }

  tags = {
    stage = "refine"
  }

  # Stops the pipeline before the second job is submitted when the first
  # ended on too low a reward. A job reports no final reward when it did not
  # succeed; coalesce turns that into a failed condition, not an error.
  lifecycle {
    precondition {
      condition     = coalesce(synth_rl_job.warmup.results.final_reward, -1) >= var.min_warmup_reward
      error_message = "The warmup stage ended below var.min_warmup_reward, so the refine stage is not submitted. Its last metrics: ${jsonencode(synth_rl_job.warmup.results.metrics)}"
    }
  }
}

variable "min_warmup_reward" {
  type        = number
  default     = 0.5
  description = "The final reward the warmup stage must reach for the refine stage to start."
}

output "warmup_model" {
  value = synth_rl_job.warmup.output_model_id
}

output "warmup_reward" {
  value = synth_rl_job.warmup.results.final_reward
}

output "refined_model" {
  value = synth_rl_job.refine.output_model_id
}
