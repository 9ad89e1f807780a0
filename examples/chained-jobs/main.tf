# Two RL stages: the second trains from the model the first produced.
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
}

output "warmup_model" {
  value = synth_rl_job.warmup.output_model_id
}

output "refined_model" {
  value = synth_rl_job.refine.output_model_id
}
