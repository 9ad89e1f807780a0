# Two RL stages: the second trains from the model the first produced, and
# only when the first reached the reward it had to.
#
# Terraform plans the second job with its source model unknown and submits it
# once the first job has succeeded. Settings come from the environment:
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

resource "synth_rl_job" "warmup" {
  algorithm = {
    type    = "online"
    method  = "policy_gradient"
    variety = "gspo"
  }

  model = {
    base         = "Qwen/Qwen3-4B"
    trainer_mode = "lora"
    label        = "crafter-warmup"
  }

  rollout = {
    env_name                = "crafter"
    policy_name             = "crafter-react"
    max_concurrent_rollouts = 8
  }

  training = {
    num_epochs           = 1
    iterations_per_epoch = 10
    max_turns            = 10
    batch_size           = 16
    group_size           = 4
    learning_rate        = 0.00005
  }

  tags = {
    stage = "warmup"
  }
}

resource "synth_rl_job" "refine" {
  algorithm = {
    type    = "online"
    method  = "policy_gradient"
    variety = "gspo"
  }

  model = {
    source       = synth_rl_job.warmup.output_model_id
    trainer_mode = "lora"
    label        = "crafter-refined"
  }

  rollout = {
    env_name                = "crafter"
    policy_name             = "crafter-react"
    max_concurrent_rollouts = 8
  }

  training = {
    num_epochs           = 2
    iterations_per_epoch = 10
    max_turns            = 10
    batch_size           = 16
    group_size           = 8
    learning_rate        = 0.00001
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
